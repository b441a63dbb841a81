// Home: what waits for a human, who works on what, and the live event feed.
import { useState } from "preact/hooks";
import { api, type Workspace } from "../api";
import { feed, type FeedEvent } from "../state";
import { A, Badge, Card, Empty, ErrorBox, Listing, Loading, Time, useClock, useLoad } from "../ui";

function describeEvent(e: FeedEvent): string {
  const who = String(e.alias ?? e.from_alias ?? "");
  switch (e.type) {
    case "escalation.created":
      return `${who} asks for help: ${String(e.subject ?? "")}`;
    case "escalation.responded":
      return `escalation answered${e.responded_by ? ` by ${String(e.responded_by)}` : ""}`;
    case "message.delivered":
      return `mail from ${who}${e.to_alias ? ` to ${String(e.to_alias)}` : ""}: ${String(e.subject ?? "")}`;
    case "message.acknowledged":
      return "mail read";
    case "chat.message_sent":
      return `chat ${who} → ${Array.isArray(e.to_aliases) ? e.to_aliases.join(", ") : ""}: ${String(e.preview ?? "")}`;
    case "bead.claimed":
      return `${who} claimed ${String(e.bead_id ?? "")}${e.title ? ` (${String(e.title)})` : ""}`;
    case "bead.unclaimed": {
      const bead = String(e.bead_id ?? "");
      if (e.released_by) return `${String(e.released_by)} released ${who}'s claim on ${bead}`;
      if (e.reason === "workspace_deleted" || e.reason === "repo_deleted") {
        return `${who}'s claim on ${bead} ended: ${e.reason === "repo_deleted" ? "repo" : "workspace"} deleted`;
      }
      return `${who} released ${bead}`;
    }
    case "bead.status_changed":
      return `${String(e.bead_id ?? "")}: ${String(e.old_status ?? "?")} → ${String(e.new_status ?? "?")}`;
    default:
      if (e.type.startsWith("reservation.")) {
        const paths = Array.isArray(e.paths) ? e.paths.join(", ") : String(e.resource_key ?? "");
        return `${who} ${e.type.slice(12)} ${paths}`;
      }
      return e.type;
  }
}

export function Feed() {
  const items = feed.value;
  if (items.length === 0) return <Empty>No events yet. They appear here as agents work.</Empty>;
  return (
    <ul class="feed" data-test="feed">
      {items.map((e, i) => (
        <li key={`${e.timestamp}-${i}`}>
          <Badge kind={e.type.split(".")[0]}>{e.type}</Badge> <span class="grow">{describeEvent(e)}</span> <Time iso={e.timestamp} />
        </li>
      ))}
    </ul>
  );
}

function repoBranch(w: Workspace): string {
  const repo = w.repo ? w.repo.replace(/^.*\//, "") : "—";
  return w.branch ? `${repo}:${w.branch}` : repo;
}

export function StatusPage() {
  useClock();
  const [repo, setRepo] = useState("");
  const status = useLoad(() => api.status());
  const pending = useLoad(() => api.escalations("pending"));
  const ws = useLoad(() => api.workspaces({}));
  const s = status.data;
  const all = ws.data?.workspaces ?? [];
  const repos = [...new Set(all.map((w) => w.repo).filter((r): r is string => !!r))].sort();
  const repoOf = new Map(all.map((w) => [w.workspace_id, w.repo]));
  const inRepo = (id: string) => !repo || repoOf.get(id) === repo;
  const online = all.filter((w) => w.status !== "offline" && !w.deleted_at && (!repo || w.repo === repo));
  const current = new Map((s?.agents ?? []).map((a) => [a.workspace_id, a.current_issue]));
  const escalations = pending.data?.escalations ?? [];
  const claims = (s?.claims ?? []).filter((c) => inRepo(c.workspace_id));
  const conflicts = (s?.conflicts ?? []).filter((c) => c.claimants.some((x) => inRepo(x.workspace_id)));
  const waiting = (s?.escalations_pending ?? 0) + conflicts.length;
  return (
    <div class="page status-page">
      <div class="page-head">
        <h1>{s ? s.workspace.project_slug : "Status"}</h1>
        <label class="inline">
          Repo{" "}
          <select value={repo} onChange={(e) => setRepo(e.currentTarget.value)} name="repo">
            <option value="">all repos</option>
            {repos.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={status.error ?? ws.error} />
      {waiting > 0 ? (
        <div class="banner attention" data-test="attention">
          {s?.escalations_pending ? (
            <A href="/escalations">
              {s.escalations_pending} escalation{s.escalations_pending === 1 ? "" : "s"} waiting for a human
            </A>
          ) : null}
          {s?.escalations_pending && conflicts.length ? " · " : ""}
          {conflicts.length ? <A href="/claims">{conflicts.length} claim conflict{conflicts.length === 1 ? "" : "s"}</A> : null}
        </div>
      ) : null}
      <div class="grid">
        <Card title={`Pending escalations (${escalations.length})`}>
          {pending.data === null ? (
            pending.error ? <ErrorBox error={pending.error} /> : <Loading />
          ) : escalations.length === 0 ? (
            <Empty>Nobody is waiting for you.</Empty>
          ) : (
            <ul class="list">
              {escalations.map((e) => (
                <li key={e.escalation_id}>
                  <A href={`/escalations/${e.escalation_id}`}>{e.subject}</A> <span class="muted">from {e.alias}</span> <Time iso={e.created_at} />
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title={`Claim conflicts (${conflicts.length})`}>
          {conflicts.length === 0 ? (
            <Empty>No issue has more than one claimant.</Empty>
          ) : (
            <ul class="list">
              {conflicts.map((c) => (
                <li key={c.bead_id}>
                  <A href={`/issues/${encodeURIComponent(c.bead_id)}`}>{c.bead_id}</A> <span class="muted">{c.claimants.map((x) => x.alias).join(", ")}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <Card title={`Workspaces online (${online.length})`} extra={<A href="/workspaces">all workspaces</A>}>
        <Listing
          res={ws}
          count={online.length}
          empty="No workspace is online. Agents appear here when bdh or aw reports their presence."
          test="online"
          columns={["alias", { label: "role", class: "hide-narrow" }, { label: "human", class: "hide-narrow" }, "repo:branch", "working on", "last seen"]}
        >
          {online.map((w) => {
            const issue = current.get(w.workspace_id) ?? w.claims[0]?.bead_id ?? w.focus_apex_id;
            return (
              <tr key={w.workspace_id}>
                <td>
                  <strong>{w.alias}</strong> <Badge kind={w.status}>{w.status}</Badge>
                </td>
                <td class="hide-narrow">{w.role ?? "—"}</td>
                <td class="hide-narrow">{w.human_name || "—"}</td>
                <td class="mono">{repoBranch(w)}</td>
                <td>{issue ? <A href={`/issues/${encodeURIComponent(issue)}`}>{issue}</A> : <span class="muted">—</span>}</td>
                <td>
                  <Time iso={w.last_seen} />
                </td>
              </tr>
            );
          })}
        </Listing>
      </Card>
      <div class="grid">
        <Card title={`Active claims (${claims.length})`} extra={<A href="/claims">claims</A>}>
          {s === null ? (
            <Loading />
          ) : claims.length === 0 ? (
            <Empty>No issue is claimed.</Empty>
          ) : (
            <ul class="list">
              {claims.slice(0, 30).map((c) => (
                <li key={c.bead_id + c.workspace_id}>
                  <A href={`/issues/${encodeURIComponent(c.bead_id)}`}>{c.bead_id}</A> <span class="grow">{c.title ?? ""}</span> <span class="muted">{c.alias}</span>{" "}
                  <Time iso={c.claimed_at} />
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Live events">
          <Feed />
        </Card>
      </div>
    </div>
  );
}
