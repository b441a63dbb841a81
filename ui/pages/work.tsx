// Claims, locks and workspaces, with the oversight actions a human may take.
import { useState } from "preact/hooks";
import { api } from "../api";
import { isHuman, me, navigate } from "../state";
import { A, Action, Badge, Card, ErrorBox, Listing, Time, useClock, useLoad } from "../ui";

const humanOnly = "Only a human can do this";

export function ClaimsPage() {
  useClock();
  const status = useLoad(() => api.status());
  const claims = useLoad(() => api.claims());
  const conflicts = status.data?.conflicts ?? [];
  const list = claims.data?.claims ?? [];
  const count = new Map<string, number>();
  for (const c of list) count.set(c.bead_id, (count.get(c.bead_id) ?? 0) + 1);
  // Conflicts (one issue, several claimants) first, then newest.
  const sorted = [...list].sort((a, b) => (count.get(b.bead_id)! > 1 ? 1 : 0) - (count.get(a.bead_id)! > 1 ? 1 : 0) || b.claimed_at.localeCompare(a.claimed_at));
  return (
    <div class="page">
      <div class="page-head">
        <h1>Claims</h1>
      </div>
      <ErrorBox error={claims.error ?? status.error} />
      {conflicts.length ? (
        <Card title={`Conflicts (${conflicts.length})`}>
          <ul class="list">
            {conflicts.map((c) => (
              <li key={c.bead_id}>
                <A href={`/issues/${encodeURIComponent(c.bead_id)}`}>{c.bead_id}</A> claimed by {c.claimants.map((x) => x.alias).join(", ")}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      <Listing
        res={claims}
        count={sorted.length}
        empty="No issue is claimed. Agents claim an issue with bdh update --status in_progress."
        test="claims"
        columns={["issue", "title", "claimant", "since", ""]}
      >
        {sorted.map((c) => (
          <tr key={c.bead_id + c.workspace_id} class={count.get(c.bead_id)! > 1 ? "conflict" : ""}>
            <td class="mono">
              <A href={`/issues/${encodeURIComponent(c.bead_id)}`}>{c.bead_id}</A>
              {count.get(c.bead_id)! > 1 ? <Badge kind="danger">conflict</Badge> : null}
            </td>
            <td>{c.title ?? ""}</td>
            <td>
              {c.alias} <span class="muted">{c.human_name}</span>
            </td>
            <td>
              <Time iso={c.claimed_at} />
            </td>
            <td>
              <Action
                label="Release"
                kind="danger"
                disabled={!isHuman.value}
                title={isHuman.value ? "Release this claim" : humanOnly}
                confirm={`Release ${c.alias}'s claim on ${c.bead_id}?`}
                run={() => api.releaseClaim(c.bead_id, c.workspace_id)}
                done={claims.reload}
              />
            </td>
          </tr>
        ))}
      </Listing>
    </div>
  );
}

export function LocksPage() {
  useClock();
  const res = useLoad(() => api.reservations());
  const list = res.data?.reservations ?? [];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Locks</h1>
      </div>
      <ErrorBox error={res.error} />
      <Listing
        res={res}
        count={list.length}
        empty="No file is reserved."
        test="locks"
        columns={["resource", "holder", "reason", "acquired", "expires", ""]}
      >
        {list.map((r) => (
          <tr key={r.resource_key}>
            <td class="mono wrap">{r.resource_key}</td>
            <td>{r.holder_alias}</td>
            <td>{typeof r.metadata?.reason === "string" ? r.metadata.reason : "—"}</td>
            <td>
              <Time iso={r.acquired_at} />
            </td>
            <td>
              <Time iso={r.expires_at} />
            </td>
            <td>
              <Action
                label="Force release"
                kind="danger"
                disabled={!isHuman.value}
                title={isHuman.value ? "Release this lock now" : humanOnly}
                confirm={`Force-release ${r.resource_key} held by ${r.holder_alias}?`}
                run={() => api.forceRelease([r.resource_key])}
                done={res.reload}
              />
            </td>
          </tr>
        ))}
      </Listing>
    </div>
  );
}

/**
 * Restoring is bound to the workspace's own identity (docs/protocol/workspaces.md#workspaces-restore): only its
 * agent's key, or a proxy user (the proxy skips the binding), may restore it.
 */
function canRestore(workspaceId: string): boolean {
  const m = me.value;
  if (m === null || m === "public") return false;
  return m.agent_id === workspaceId || (!m.api_key_id && !!m.user_id);
}

export function WorkspacesPage() {
  useClock();
  const [tab, setTab] = useState<"online" | "offline" | "deleted">("online");
  const ws = useLoad(() => api.workspaces({ include_deleted: true }));
  const all = ws.data?.workspaces ?? [];
  const groups = {
    online: all.filter((w) => !w.deleted_at && w.status !== "offline"),
    offline: all.filter((w) => !w.deleted_at && w.status === "offline"),
    deleted: all.filter((w) => !!w.deleted_at),
  };
  const list = groups[tab];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Workspaces</h1>
      </div>
      <div class="tabs" role="tablist">
        {(["online", "offline", "deleted"] as const).map((t) => (
          <button key={t} type="button" role="tab" class={tab === t ? "active" : ""} onClick={() => setTab(t)}>
            {t} ({groups[t].length})
          </button>
        ))}
      </div>
      <ErrorBox error={ws.error} />
      <Listing
        res={ws}
        count={list.length}
        empty={<>No {tab} workspaces.</>}
        test="workspaces"
        columns={["alias", "role", "human", "repo", "branch", "claims", "last seen", ""]}
      >
        {list.map((w) => (
          <tr key={w.workspace_id}>
            <td>
              <strong>{w.alias}</strong>
            </td>
            <td>{w.role ?? "—"}</td>
            <td>{w.human_name || "—"}</td>
            <td class="mono wrap">{w.repo ?? "—"}</td>
            <td class="mono">{w.branch ?? "—"}</td>
            <td>{w.claims.length}</td>
            <td>
              <Time iso={w.deleted_at ?? w.last_seen} />
            </td>
            <td class="actions">
              {w.deleted_at ? (
                canRestore(w.workspace_id) ? (
                  <Action label="Restore" run={() => api.restoreWorkspace(w.workspace_id)} done={ws.reload} />
                ) : (
                  <span class="muted small" title="POST /v1/workspaces/{id}/restore is bound to the workspace's own key">
                    restored by its own agent (bdh :init)
                  </span>
                )
              ) : (
                <>
                  <button type="button" class="plain" onClick={() => navigate(`/mail?to=${encodeURIComponent(w.alias)}`)}>
                    Message
                  </button>
                  <Action label="Delete" kind="danger" confirm={`Delete workspace ${w.alias}? Its claims are released.`} run={() => api.deleteWorkspace(w.workspace_id)} done={ws.reload} />
                </>
              )}
            </td>
          </tr>
        ))}
      </Listing>
    </div>
  );
}
