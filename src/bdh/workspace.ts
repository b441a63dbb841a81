// The workspace checks and "touch" shared by /v1/bdh/command and /v1/bdh/sync
// (contract beadhub.md §8.1 steps 2–3, §19.2, §19.5): the workspace must exist
// in the caller's project (404) and be live (410, which bdh turns into "run
// :init"); then last_seen_at, human_name and role are overwritten — an
// omitted role nulls the column. Presence is refreshed too (best effort).
import type { Deps } from "../deps";
import type { Db } from "../db/pool";
import { gone, notFound } from "../http/errors";
import { normalizeRole } from "../http/validate";
import { writePresence } from "../presence/presence";

export interface TouchedWorkspace {
  workspace_id: string;
  project_id: string;
  project_slug: string | null;
  repo_id: string | null;
  current_branch: string | null;
}

async function touch(db: Db, projectId: string, workspaceId: string, humanName: string, role: string | null) {
  return db<TouchedWorkspace[]>`
    update server.workspaces w
    set last_seen_at = now(), human_name = ${humanName}, role = ${role}
    from server.projects p
    where w.workspace_id = ${workspaceId} and w.project_id = ${projectId} and w.deleted_at is null
      and p.id = w.project_id
    returning w.workspace_id, w.project_id, p.slug as project_slug, w.repo_id, w.current_branch`;
}

/** One round trip on the hot path; the 404/410 distinction only when the update missed. */
export async function touchLiveWorkspace(
  deps: Deps,
  projectId: string,
  workspaceId: string,
  alias: string,
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
  const validRole = role === null ? null : normalizeRole(role);
  await writePresence(deps, {
    workspace_id: workspaceId,
    alias,
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
