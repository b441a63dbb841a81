// Queries behind GET /v1/status and GET /v1/status/stream
// (docs/protocol/status.md#status-snapshot, docs/protocol/status.md#status-stream). Every query is scoped to the caller's project. Nothing is
// cached in process: several instances must give the same answer, and a
// workspace created through one of them must show up on all at once.
import type { Db } from "../db/pool";
import type { StatusClaim, StatusFilter } from "./model";

type Ids = { workspace_id: string }[];
const ids = (rows: Ids) => rows.map((r) => r.workspace_id);

/** The project's live workspaces, most recently updated first. */
export async function projectWorkspaceIds(db: Db, projectId: string, limit: number): Promise<string[]> {
  return ids(await db<Ids>`
    select workspace_id from server.workspaces
    where project_id = ${projectId} and deleted_at is null
    order by updated_at desc
    limit ${limit}`);
}

/** Live workspaces of a live repo given by canonical origin (stream ?repo=). */
export async function originWorkspaceIds(db: Db, projectId: string, origin: string, limit: number): Promise<string[]> {
  return ids(await db<Ids>`
    select w.workspace_id
    from server.workspaces w
    join server.repos r on r.id = w.repo_id
    where r.canonical_origin = ${origin} and w.project_id = ${projectId}
      and w.deleted_at is null and r.deleted_at is null
    order by w.updated_at desc
    limit ${limit}`);
}

/** Live workspaces owned by a human (stream ?human_name=). */
export async function humanWorkspaceIds(db: Db, projectId: string, humanName: string, limit: number): Promise<string[]> {
  return ids(await db<Ids>`
    select workspace_id from server.workspaces
    where human_name = ${humanName} and project_id = ${projectId} and deleted_at is null
    order by updated_at desc
    limit ${limit}`);
}

export interface StatusScope {
  /** The server project's slug; null when it has no live server.projects row. */
  slug: string | null;
  /**
   * Escalations still waiting for a human: stored as pending and not past
   * their expiry (an expired one reads as "expired" everywhere, docs/decisions.md).
   */
  pending: number;
  /** The filter's live workspaces, most recently updated first (empty: unknown workspace). */
  workspace_ids: string[];
}

/** Everything GET /v1/status needs before claims and presence, in one round trip. */
export async function loadStatusScope(db: Db, projectId: string, filter: StatusFilter, limit: number): Promise<StatusScope> {
  const live = db`w.project_id = ${projectId} and w.deleted_at is null`;
  const ids =
    filter.kind === "workspace"
      ? db`select w.workspace_id from server.workspaces w where w.workspace_id = ${filter.workspaceId} and ${live}`
      : filter.kind === "repo"
        ? db`select w.workspace_id from server.workspaces w where w.repo_id = ${filter.repoId} and ${live}
             order by w.updated_at desc limit ${limit}`
        : db`select w.workspace_id from server.workspaces w where ${live} order by w.updated_at desc limit ${limit}`;
  const [row] = await db<StatusScope[]>`
    select
      (select slug from server.projects where id = ${projectId} and deleted_at is null) as slug,
      (select count(*)::int from server.escalations
        where project_id = ${projectId} and status = 'pending' and (expires_at is null or expires_at > now())) as pending,
      array(${ids})::text[] as workspace_ids`;
  return row;
}

/** A claim row is the snapshot's claim before redaction. */
export type StatusClaimRow = typeof StatusClaim.static;

/**
 * Claims of the workspace set, newest first, with how many workspaces of the
 * project claim the same bead and the bead's most recently synced title.
 * Always restricted to the project: for an empty set the reference drops the
 * WHERE clause and returns every project's claims (docs/protocol/status.md#status-snapshot); here an
 * empty set has no claims.
 */
export async function listStatusClaims(db: Db, projectId: string, workspaceIds: string[]): Promise<StatusClaimRow[]> {
  if (workspaceIds.length === 0) return [];
  // Per-row subqueries on (project_id, bead_id) indexes: the cost follows the
  // claims returned, not the project's claim count, whatever the statistics say
  // (a join against a grouped count was planned as one re-aggregation per row).
  return db<StatusClaimRow[]>`
    select c.bead_id, c.workspace_id, c.alias, c.human_name, c.claimed_at, c.project_id,
           (select count(*)::int from server.bead_claims o
             where o.project_id = c.project_id and o.bead_id = c.bead_id) as claimant_count,
           (select bi.title from beads.beads_issues bi
             where bi.project_id = c.project_id and bi.bead_id = c.bead_id
             order by bi.synced_at desc limit 1) as title
    from server.bead_claims c
    where c.project_id = ${projectId} and c.workspace_id = any(${workspaceIds}::uuid[])
    order by c.claimed_at desc, c.id desc`;
}
