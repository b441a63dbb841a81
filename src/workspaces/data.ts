// server.workspaces rows used by init and register (workspace_id = agent_id).
import type { Db } from "../db/pool";

export interface WorkspaceRow {
  workspace_id: string;
  project_id: string;
  repo_id: string | null;
  alias: string;
  human_name: string;
  role: string | null;
  hostname: string | null;
  workspace_path: string | null;
  deleted_at: string | null;
}

export async function findWorkspace(db: Db, workspaceId: string): Promise<WorkspaceRow | null> {
  const rows = await db<WorkspaceRow[]>`
    select workspace_id, project_id, repo_id, alias, human_name, role, hostname, workspace_path, deleted_at
    from server.workspaces where workspace_id = ${workspaceId}`;
  return rows[0] ?? null;
}

export interface WorkspaceFields {
  workspaceId: string;
  projectId: string;
  repoId: string;
  alias: string;
  humanName: string;
  role: string | null;
  hostname: string | null;
  workspacePath: string | null;
}

/** Insert a live agent workspace; returns false when the alias is taken by another live workspace. */
export async function insertWorkspace(db: Db, w: WorkspaceFields): Promise<boolean> {
  const rows = await db`
    insert into server.workspaces
      (workspace_id, project_id, repo_id, alias, human_name, role, hostname, workspace_path, workspace_type)
    values (${w.workspaceId}, ${w.projectId}, ${w.repoId}, ${w.alias}, ${w.humanName}, ${w.role},
            ${w.hostname}, ${w.workspacePath}, 'agent')
    on conflict (project_id, alias) where deleted_at is null do nothing
    returning workspace_id`;
  return rows.length > 0;
}

/** Refresh the mutable fields and revive the row (alias/project/repo are immutable: trigger). */
export async function refreshWorkspace(db: Db, w: WorkspaceFields): Promise<void> {
  await db`
    update server.workspaces
    set human_name = ${w.humanName}, role = ${w.role}, hostname = ${w.hostname},
        workspace_path = ${w.workspacePath}, deleted_at = null
    where workspace_id = ${w.workspaceId}`;
}
