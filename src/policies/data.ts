// server.project_policies and projects.active_policy_id (docs/protocol/policies.md#policies).
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { PolicyVersion, type PolicyBundle, type StoredBundle } from "./model";

/** A stored version: the history item's fields (less is_active) plus its project, bundle and update time. */
export type PolicyRow = Omit<PolicyVersion, "is_active"> &
  Pick<PolicyBundle, "project_id" | "updated_at"> & {
    /** Stored as jsonb: object keys come back in jsonb order, as in the reference. */
    bundle_json: Partial<StoredBundle> & Record<string, unknown>;
  };

export interface LockedProject {
  id: string;
  active_policy_id: string | null;
}

/** The project's active policy, or null when it has none (or the project is missing). */
export async function findActivePolicy(db: Db, projectId: string): Promise<PolicyRow | null> {
  const rows = await db<PolicyRow[]>`
    select pp.policy_id, pp.project_id, pp.version, pp.bundle_json,
           pp.created_by_workspace_id, pp.created_at, pp.updated_at
    from server.projects p
    join server.project_policies pp on pp.policy_id = p.active_policy_id
    where p.id = ${projectId} and p.deleted_at is null`;
  return rows[0] ?? null;
}

/**
 * Lock the live project row for the rest of the transaction. Every policy write
 * takes this lock first, so version allocation (max+1) and the base_policy_id
 * check cannot interleave.
 */
export async function lockProject(db: Db, projectId: string): Promise<LockedProject | null> {
  const rows = await db<LockedProject[]>`
    select id, active_policy_id from server.projects
    where id = ${projectId} and deleted_at is null
    for update`;
  return rows[0] ?? null;
}

/** The newest version's id (the head of the project's policy history), or null. */
export async function latestPolicyId(db: Db, projectId: string): Promise<string | null> {
  const rows = await db<{ policy_id: string }[]>`
    select policy_id from server.project_policies
    where project_id = ${projectId}
    order by version desc
    limit 1`;
  return rows[0]?.policy_id ?? null;
}

/** Insert the next version (max+1). Call with the project row locked. */
export async function insertPolicyVersion(
  db: Db,
  projectId: string,
  bundle: StoredBundle,
  createdByWorkspaceId: string | null,
): Promise<PolicyRow> {
  const rows = await db<PolicyRow[]>`
    insert into server.project_policies (project_id, version, bundle_json, created_by_workspace_id)
    select ${projectId}, coalesce(max(version), 0) + 1, ${db.json(bundle as never)}, ${createdByWorkspaceId}
    from server.project_policies
    where project_id = ${projectId}
    returning policy_id, project_id, version, bundle_json, created_by_workspace_id, created_at, updated_at`;
  return rows[0];
}

export async function setActivePolicy(db: Db, projectId: string, policyId: string): Promise<void> {
  await db`update server.projects set active_policy_id = ${policyId} where id = ${projectId}`;
}

/** Any project's policy by id (activate distinguishes "missing" from "other project"). */
export async function findPolicyOwner(db: Db, policyId: string): Promise<{ project_id: string } | null> {
  const rows = await db<{ project_id: string }[]>`
    select project_id from server.project_policies where policy_id = ${policyId}`;
  return rows[0] ?? null;
}

export async function findProjectPolicy(db: Db, projectId: string, policyId: string): Promise<PolicyRow | null> {
  const rows = await db<PolicyRow[]>`
    select policy_id, project_id, version, bundle_json, created_by_workspace_id, created_at, updated_at
    from server.project_policies
    where policy_id = ${policyId} and project_id = ${projectId}`;
  return rows[0] ?? null;
}

export async function listPolicyHistory(db: Db, projectId: string, limit: number): Promise<PolicyVersion[]> {
  return db<PolicyVersion[]>`
    select ${selectList(db, PolicyVersion, "pp", { is_active: db`coalesce(pp.policy_id = p.active_policy_id, false)` })}
    from server.project_policies pp
    left join server.projects p on p.id = pp.project_id and p.deleted_at is null
    where pp.project_id = ${projectId}
    order by pp.version desc
    limit ${limit}`;
}

/** A workspace of this project; `live` also requires it not to be deleted. */
export async function workspaceInProject(db: Db, projectId: string, workspaceId: string, live: boolean): Promise<boolean> {
  const rows = await db`
    select 1 from server.workspaces
    where workspace_id = ${workspaceId} and project_id = ${projectId}
      and (${!live} or deleted_at is null)`;
  return rows.length > 0;
}
