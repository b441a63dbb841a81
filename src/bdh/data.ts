// server.workspaces as bdh's pre-flight and sync touch it: SQL only
// (docs/protocol/sync.md#bdh-command steps 2–3). The rules are in service.ts.
import type { Db } from "../db/pool";
import type { TouchedWorkspace } from "./model";

/**
 * How stale last_seen_at may get before a command/sync writes it again. An
 * UPDATE commits a WAL flush; skipping it when nothing changed is what lets a
 * burst of bd commands cost one write (docs/decisions.md, issue 8).
 */
export const TOUCH_INTERVAL_SECONDS = 5;

export interface TouchRow extends TouchedWorkspace {
  touched: boolean;
}

/**
 * Read the live workspace and, in the same statement, overwrite last_seen_at,
 * human_name and role when one of them is due. An UPDATE that matches no row
 * takes no transaction id, so the common case commits without a WAL flush.
 */
export async function touchWorkspace(db: Db, projectId: string, workspaceId: string, humanName: string, role: string | null) {
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
