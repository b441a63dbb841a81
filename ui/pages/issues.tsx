// Synced issues: filters and search, and one issue with what blocks it and what it blocks.
import { useState } from "preact/hooks";
import { api, type Issue } from "../api";
import { query } from "../state";
import { Markdown } from "../markdown";
import { A, Badge, Card, Empty, ErrorBox, Listing, Loading, Time, useLoad } from "../ui";

const href = (i: { bead_id: string; repo?: string; branch?: string }) =>
  `/issues/${encodeURIComponent(i.bead_id)}` + (i.repo && i.branch ? `?repo=${encodeURIComponent(i.repo)}&branch=${encodeURIComponent(i.branch)}` : "");

export function IssuesPage() {
  const [f, setF] = useState({ status: "", type: "", assignee: "", label: "", q: "", priority: "" });
  const [q, setQ] = useState("");
  const list = useLoad(
    () => api.issues({ status: f.status || null, type: f.type || null, assignee: f.assignee || null, label: f.label || null, q: f.q || null }),
    [f.status, f.type, f.assignee, f.label, f.q],
  );
  const issues = (list.data?.issues ?? []).filter((i) => f.priority === "" || String(i.priority) === f.priority);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <div class="page">
      <div class="page-head">
        <h1>Issues</h1>
      </div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setF({ ...f, q });
        }}
      >
        <input name="q" placeholder="search id or title" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <select name="status" value={f.status} onChange={set("status")}>
          <option value="">any status</option>
          <option value="open">open</option>
          <option value="in_progress">in progress</option>
          <option value="closed">closed</option>
        </select>
        <select name="type" value={f.type} onChange={set("type")}>
          <option value="">any type</option>
          {["bug", "feature", "task", "epic", "chore"].map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <select name="priority" value={f.priority} onChange={set("priority")}>
          <option value="">any priority</option>
          {[0, 1, 2, 3, 4].map((p) => (
            <option key={p} value={String(p)}>
              P{p}
            </option>
          ))}
        </select>
        <input name="assignee" placeholder="assignee" value={f.assignee} onChange={set("assignee")} />
        <input name="label" placeholder="label" value={f.label} onChange={set("label")} />
        <button class="plain">Search</button>
      </form>
      <ErrorBox error={list.error} />
      <Listing
        res={list}
        count={issues.length}
        empty="No synced issues match. Issues appear once an agent runs bdh sync."
        columns={["id", "title", "status", "type", "P", "assignee", "updated"]}
      >
        {issues.map((i) => (
          <tr key={`${i.repo}/${i.branch}/${i.bead_id}`}>
            <td class="mono">
              <A href={href(i)}>{i.bead_id}</A>
            </td>
            <td>
              {i.title}
              {(i.labels ?? []).map((l) => (
                <Badge key={l}>{l}</Badge>
              ))}
            </td>
            <td>
              <Badge kind={i.status}>{i.status}</Badge>
            </td>
            <td>{i.type ?? "—"}</td>
            <td>{i.priority ?? "—"}</td>
            <td>{i.assignee ?? "—"}</td>
            <td>
              <Time iso={i.updated_at ?? i.created_at} />
            </td>
          </tr>
        ))}
      </Listing>
      {list.data?.has_more ? <p class="muted">Showing the newest {list.data.issues.length}; narrow the filters to see others.</p> : null}
    </div>
  );
}

export function IssuePage({ id }: { id: string }) {
  const repo = query.value.get("repo") ?? undefined;
  const branch = query.value.get("branch") ?? undefined;
  const issue = useLoad(() => api.issue(id, repo, branch), [id, repo, branch]);
  // "What it blocks": issues of the project whose blocked_by names this one.
  const others = useLoad(() => api.issues({}), [id]);
  const claims = useLoad(() => api.claims(), [id]);
  const i = issue.data;
  if (issue.error) return <ErrorBox error={issue.error} />;
  if (!i) return <Loading />;
  const blocks = (others.data?.issues ?? []).filter((o: Issue) => o.blocked_by.some((b) => b.bead_id === i.bead_id && b.repo === i.repo));
  const claimants = (claims.data?.claims ?? []).filter((c) => c.bead_id === i.bead_id);
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          <span class="mono">{i.bead_id}</span> {i.title}
        </h1>
      </div>
      <p>
        <Badge kind={i.status}>{i.status}</Badge> {i.type ? <Badge>{i.type}</Badge> : null} {i.priority !== null ? <Badge>P{i.priority}</Badge> : null}{" "}
        <span class="muted">
          {i.repo}:{i.branch} · assignee {i.assignee ?? "none"} · updated <Time iso={i.updated_at} />
        </span>
      </p>
      <div class="grid">
        <Card title="Description">{i.description ? <Markdown text={i.description} /> : <Empty>No description.</Empty>}</Card>
        <div>
          <Card title="Blocked by">
            {i.blocked_by.length === 0 ? (
              <Empty>Nothing.</Empty>
            ) : (
              <ul class="list">
                {i.blocked_by.map((b) => (
                  <li key={b.bead_id}>
                    <A href={href(b)}>{b.bead_id}</A>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Blocks">
            {blocks.length === 0 ? (
              <Empty>Nothing.</Empty>
            ) : (
              <ul class="list">
                {blocks.map((b) => (
                  <li key={b.bead_id}>
                    <A href={href(b)}>{b.bead_id}</A> {b.title}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Claimed by">
            {claimants.length === 0 ? (
              <Empty>Nobody.</Empty>
            ) : (
              <ul class="list">
                {claimants.map((c) => (
                  <li key={c.workspace_id}>
                    {c.alias} <span class="muted">{c.human_name}</span> <Time iso={c.claimed_at} />
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </div>
  );
}
