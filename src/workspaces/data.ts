// server.workspaces rows used by init and register (workspace_id = agent_id).
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { CurrentProject } from "../projects/model";

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

/** Soft-delete a live workspace; returns its deleted_at, or null when it was not live. */
export async function softDeleteWorkspace(db: Db, workspaceId: string): Promise<string | null> {
  const rows = await db<{ deleted_at: string }[]>`
    update server.workspaces set deleted_at = now()
    where workspace_id = ${workspaceId} and deleted_at is null
    returning deleted_at`;
  return rows[0]?.deleted_at ?? null;
}

/** Soft-delete the live workspaces of a repo (the repo's deletion); returns their ids. */
export async function softDeleteWorkspacesOfRepo(db: Db, repoId: string): Promise<string[]> {
  const rows = await db<{ workspace_id: string }[]>`
    update server.workspaces set deleted_at = now()
    where repo_id = ${repoId} and deleted_at is null
    returning workspace_id`;
  return rows.map((r) => r.workspace_id);
}

/** Revive a soft-deleted workspace; returns the new updated_at, or null when it was live. */
export async function restoreWorkspace(db: Db, workspaceId: string): Promise<string | null> {
  const rows = await db<{ updated_at: string }[]>`
    update server.workspaces set deleted_at = null
    where workspace_id = ${workspaceId} and deleted_at is not null
    returning updated_at`;
  return rows[0]?.updated_at ?? null;
}

/** Another live workspace of the project already uses this alias. */
export async function aliasUsedByOther(db: Db, projectId: string, alias: string, workspaceId: string): Promise<boolean> {
  const rows = await db`
    select 1 from server.workspaces
    where project_id = ${projectId} and alias = ${alias} and workspace_id <> ${workspaceId} and deleted_at is null
    limit 1`;
  return rows.length > 0;
}

/** A claim row of another workspace carries this alias (heartbeat collision check). */
export async function aliasHeldInClaims(db: Db, projectId: string, alias: string, workspaceId: string): Promise<boolean> {
  const rows = await db`
    select 1 from server.bead_claims
    where project_id = ${projectId} and alias = ${alias} and workspace_id <> ${workspaceId}
    limit 1`;
  return rows.length > 0;
}

/** The agent's names with its aweb project, as projects' CurrentProject declares it. */
export type AgentOfLiveProject = { alias: string; human_name: string } & typeof CurrentProject.static;

/** The live aweb agent behind a Bearer key, with its live project (POST /v1/workspaces/register). */
export async function findAgentOfLiveProject(db: Db, agentId: string, projectId: string): Promise<AgentOfLiveProject | null> {
  const rows = await db<AgentOfLiveProject[]>`
    select a.alias, a.human_name, ${selectList(db, CurrentProject, "p")}
    from aweb.agents a join aweb.projects p on p.project_id = a.project_id
    where a.agent_id = ${agentId} and a.project_id = ${projectId}
      and a.deleted_at is null and p.deleted_at is null`;
  return rows[0] ?? null;
}

export interface HeartbeatFields {
  workspaceId: string;
  alias: string;
  humanName: string;
  role: string | null;
  currentBranch: string | null;
  hostname: string | null;
  workspacePath: string | null;
}

/**
 * Insert, or refresh an existing row: human_name overwritten, role only when
 * given, hostname/workspace_path only filled while still null (docs/protocol/workspaces.md).
 */
export async function upsertHeartbeatWorkspace(db: Db, projectId: string, repoId: string, w: HeartbeatFields): Promise<void> {
  await db`
    insert into server.workspaces
      (workspace_id, project_id, repo_id, alias, human_name, role, hostname, workspace_path,
       current_branch, last_seen_at, workspace_type)
    values (${w.workspaceId}, ${projectId}, ${repoId}, ${w.alias}, ${w.humanName}, ${w.role}, ${w.hostname},
            ${w.workspacePath}, ${w.currentBranch}, now(), 'agent')
    on conflict (workspace_id) do update set
      human_name = excluded.human_name,
      role = coalesce(excluded.role, server.workspaces.role),
      hostname = coalesce(server.workspaces.hostname, excluded.hostname),
      workspace_path = coalesce(server.workspaces.workspace_path, excluded.workspace_path),
      current_branch = coalesce(excluded.current_branch, server.workspaces.current_branch),
      last_seen_at = now()`;
}
