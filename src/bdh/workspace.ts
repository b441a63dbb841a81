// The workspace checks and "touch" shared by /v1/bdh/command and /v1/bdh/sync
// (contract beadhub.md §8.1 steps 2–3, §19.2, §19.5): the workspace must exist
// in the caller's project (404) and be live (410, which bdh turns into "run
// :init"); then last_seen_at, human_name and role are overwritten — an
// omitted role nulls the column. Presence is refreshed too (best effort).
import type { Deps } from "../deps";
import type { Db } from "../db/pool";
import { gone, notFound } from "../http/errors";
import { normalizeRole } from "../http/field-rules";
import { writePresence } from "../presence/presence";

export interface TouchedWorkspace {
  workspace_id: string;
  project_id: string;
  /** The workspace's own alias: what presence and claims record (issue 19, defect 5). */
  alias: string;
  project_slug: string | null;
  repo_id: string | null;
  current_branch: string | null;
}

/**
 * How stale last_seen_at may get before a command/sync writes it again. An
 * UPDATE commits a WAL flush; skipping it when nothing changed is what lets a
 * burst of bd commands cost one write (docs/decisions.md, issue 8).
 */
export const TOUCH_INTERVAL_SECONDS = 5;

interface TouchRow extends TouchedWorkspace {
  touched: boolean;
}

/**
 * Read the live workspace and, in the same statement, overwrite last_seen_at,
 * human_name and role when one of them is due. An UPDATE that matches no row
 * takes no transaction id, so the common case commits without a WAL flush.
 */
async function touch(db: Db, projectId: string, workspaceId: string, humanName: string, role: string | null) {
  return db<TouchRow[]>`
    with target as (
      select w.workspace_id, w.project_id, w.alias, p.slug as project_slug, w.repo_id, w.current_branch,
             (w.last_seen_at is null
              or w.last_seen_at < now() - make_interval(secs => ${TOUCH_INTERVAL_SECONDS})
              or w.human_name is distinct from ${humanName}::text
              or w.role is distinct from ${role}::text) as due
      from server.workspaces w
      join server.projects p on p.id = w.project_id
      where w.workspace_id = ${workspaceId} and w.project_id = ${projectId} and w.deleted_at is null
    ), touched as (
      update server.workspaces w
      set last_seen_at = now(), human_name = ${humanName}, role = ${role}
      from target t
      where t.due and w.workspace_id = t.workspace_id and w.deleted_at is null
      returning w.workspace_id
    )
    select t.workspace_id, t.project_id, t.alias, t.project_slug, t.repo_id, t.current_branch,
           exists (select 1 from touched) as touched
    from target t`;
}

/**
 * One round trip on the hot path (two when the touch is due: presence); the
 * 404/410 distinction only when the workspace was not found live.
 */
export async function touchLiveWorkspace(
  deps: Deps,
  projectId: string,
  workspaceId: string,
  humanName: string,
  role: string | null,
): Promise<TouchedWorkspace> {
  const [ws] = await touch(deps.sql, projectId, workspaceId, humanName, role);
  if (!ws) {
    const rows = await deps.sql<{ deleted_at: string | null }[]>`
      select deleted_at from server.workspaces where workspace_id = ${workspaceId} and project_id = ${projectId}`;
    if (rows.length === 0) throw notFound("Workspace not found");
    throw gone("Workspace was deleted");
  }
  // Presence was refreshed by the touch that made this one unnecessary, and
  // lives far longer (presenceTtlSeconds) than the touch interval.
  if (!ws.touched) return ws;
  const validRole = role === null ? null : normalizeRole(role);
  await writePresence(deps, {
    workspace_id: workspaceId,
    // never the alias a client sent: a body could name a peer (issue 19, defect 5)
    alias: ws.alias,
    project_id: projectId,
    human_name: humanName,
    project_slug: ws.project_slug ?? undefined,
    repo_id: ws.repo_id ?? undefined,
    current_branch: ws.current_branch ?? undefined,
    member_email: "",
    // the presence hash only ever receives a valid role (§11)
    role: validRole ? validRole : undefined,
  });
  return ws;
}
