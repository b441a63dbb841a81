// server.bead_claims: SQL only (docs/protocol/sync.md#claims). The rules that use
// these statements, and the order of their locks, are in service.ts.
import type { Db } from "../db/pool";
import { selectList, type Fragment } from "../db/columns";
import { Claim, type Apex, type ClaimHolder, type ClaimListFilter, type ClaimRow, type RecentClaim, type RemovedClaim } from "./model";

const MAX_APEX_HOPS = 20;

/** Serialise claims of one bead until the transaction ends (transaction-scoped advisory lock). */
export async function lockBeadClaims(tx: Db, projectId: string, beadId: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${`claim:${projectId}:${beadId}`}, 0))`;
}

/**
 * Walk parent_id links from the newest-synced row of the bead (any repo or
 * branch) up to 20 hops, following exact {repo, branch, bead_id} refs. The
 * last row found is the apex; an unknown bead has none. One round trip.
 */
export async function resolveApex(db: Db, projectId: string, beadId: string): Promise<Apex | null> {
  const rows = await db<Apex[]>`
    with recursive chain (depth, bead_id, repo, branch, parent_id) as (
      (select 0, bead_id, repo, branch, parent_id
       from beads.beads_issues
       where project_id = ${projectId} and bead_id = ${beadId}
       order by synced_at desc
       limit 1)
      union all
      select c.depth + 1, p.bead_id, p.repo, p.branch, p.parent_id
      from chain c
      cross join lateral (
        select b.bead_id, b.repo, b.branch, b.parent_id
        from beads.beads_issues b
        where b.project_id = ${projectId}
          and b.repo = c.parent_id ->> 'repo'
          and b.branch = c.parent_id ->> 'branch'
          and b.bead_id = c.parent_id ->> 'bead_id'
        order by b.synced_at desc
        limit 1) p
      where c.depth < ${MAX_APEX_HOPS}
        and jsonb_typeof(c.parent_id) = 'object'
        and coalesce(c.parent_id ->> 'repo', '') <> ''
        and coalesce(c.parent_id ->> 'branch', '') <> ''
        and coalesce(c.parent_id ->> 'bead_id', '') <> ''
    )
    select bead_id, repo, branch from chain order by depth desc limit 1`;
  return rows[0] ?? null;
}

/** The title of the newest-synced row of the bead in the project (any repo or branch). */
const titleOf = (db: Db, projectId: string, beadId: Fragment) => db`(
  select i.title from beads.beads_issues i
  where i.project_id = ${projectId} and i.bead_id = ${beadId}
  order by i.synced_at desc
  limit 1)`;

export async function findIssueTitle(db: Db, projectId: string, beadId: string): Promise<string | null> {
  const [row] = await db<{ title: string | null }[]>`select ${titleOf(db, projectId, db`${beadId}::text`)} as title`;
  return row.title;
}

/**
 * Lock the workspace row a claim change belongs to, and read whether it is
 * live. Every claim write takes this lock first, and a workspace or repo
 * deletion updates the same row, so the two serialise (issue 19, defect 3).
 */
export async function lockWorkspace(
  db: Db,
  projectId: string,
  workspaceId: string,
): Promise<{ alias: string; human_name: string; live: boolean } | null> {
  const rows = await db<{ alias: string; human_name: string; live: boolean }[]>`
    select alias, human_name, deleted_at is null as live
    from server.workspaces
    where workspace_id = ${workspaceId} and project_id = ${projectId}
    for no key update`;
  return rows[0] ?? null;
}

/** The most recent claim on this bead by a workspace other than this one (any age). */
export async function findOtherHolder(db: Db, projectId: string, beadId: string, workspaceId: string): Promise<ClaimHolder | null> {
  const rows = await db<ClaimHolder[]>`
    select workspace_id, alias, human_name
    from server.bead_claims
    where project_id = ${projectId} and bead_id = ${beadId} and workspace_id <> ${workspaceId}
    order by claimed_at desc
    limit 1`;
  return rows[0] ?? null;
}

/** The workspaces holding this bead in the project. */
export async function findHolders(db: Db, projectId: string, beadId: string): Promise<string[]> {
  const rows = await db<{ workspace_id: string }[]>`
    select workspace_id from server.bead_claims where project_id = ${projectId} and bead_id = ${beadId}`;
  return rows.map((r) => r.workspace_id);
}

/** The 200 most recent claims of the project, the caller's own included (docs/protocol/sync.md#bdh-command step 4). */
export async function listRecentClaims(db: Db, projectId: string, limit = 200): Promise<RecentClaim[]> {
  return db<RecentClaim[]>`
    select bead_id, workspace_id, alias, human_name, claimed_at
    from server.bead_claims
    where project_id = ${projectId}
    order by claimed_at desc
    limit ${limit}`;
}

export interface NewClaim {
  projectId: string;
  workspaceId: string;
  alias: string;
  humanName: string;
  beadId: string;
  apex: Apex | null;
}

/** Insert or refresh the workspace's claim; returns its claimed_at. */
export async function upsertClaim(db: Db, c: NewClaim): Promise<string> {
  const [row] = await db<{ claimed_at: string }[]>`
    insert into server.bead_claims
      (project_id, workspace_id, alias, human_name, bead_id, apex_bead_id, apex_repo_name, apex_branch, claimed_at)
    values (${c.projectId}, ${c.workspaceId}, ${c.alias}, ${c.humanName}, ${c.beadId},
            ${c.apex?.bead_id ?? null}, ${c.apex?.repo ?? null}, ${c.apex?.branch ?? null}, now())
    on conflict (project_id, bead_id, workspace_id) do update set
      alias = excluded.alias,
      human_name = excluded.human_name,
      apex_bead_id = excluded.apex_bead_id,
      apex_repo_name = excluded.apex_repo_name,
      apex_branch = excluded.apex_branch,
      claimed_at = excluded.claimed_at
    returning claimed_at`;
  return row.claimed_at;
}

export async function setFocus(db: Db, projectId: string, workspaceId: string, apex: Apex): Promise<void> {
  await db`
    update server.workspaces
    set focus_apex_bead_id = ${apex.bead_id}, focus_apex_repo_name = ${apex.repo},
        focus_apex_branch = ${apex.branch}, focus_updated_at = now()
    where project_id = ${projectId} and workspace_id = ${workspaceId}`;
}

/** Delete the workspace's claims on these beads. */
export async function deleteClaims(db: Db, projectId: string, workspaceId: string, beadIds: string[]): Promise<RemovedClaim[]> {
  return db<RemovedClaim[]>`
    delete from server.bead_claims
    where project_id = ${projectId} and workspace_id = ${workspaceId} and bead_id = any(${db.array(beadIds)}::text[])
    returning bead_id, workspace_id, alias`;
}

/** Every claim of these workspaces (a workspace or repo deletion: soft delete does not cascade). */
export async function deleteClaimsOfWorkspaces(db: Db, workspaceIds: string[]): Promise<RemovedClaim[]> {
  return db<RemovedClaim[]>`
    delete from server.bead_claims
    where workspace_id = any(${db.array(workspaceIds)}::uuid[])
    returning bead_id, workspace_id, alias`;
}

/** Point the focus at the apex of the most recent remaining claim (or clear it); always bumps focus_updated_at. */
export async function refocus(db: Db, projectId: string, workspaceId: string): Promise<void> {
  await db`
    update server.workspaces
    set (focus_apex_bead_id, focus_apex_repo_name, focus_apex_branch) = (
          select apex_bead_id, apex_repo_name, apex_branch
          from server.bead_claims
          where project_id = ${projectId} and workspace_id = ${workspaceId}
          order by claimed_at desc
          limit 1),
        focus_updated_at = now()
    where project_id = ${projectId} and workspace_id = ${workspaceId}`;
}

/** The project's claims, newest first, limit+1 rows, each with its issue title. */
export async function listClaims(db: Db, q: ClaimListFilter): Promise<ClaimRow[]> {
  const after = q.after;
  return db<ClaimRow[]>`
    select c.id, ${selectList(db, Claim, "c", { title: titleOf(db, q.projectId, db`c.bead_id`) })}
    from server.bead_claims c
    where c.project_id = ${q.projectId}
      ${q.workspaceId !== null ? db`and c.workspace_id = ${q.workspaceId}` : db``}
      ${
        after === null
          ? db``
          : after.id === null
            ? db`and c.claimed_at < ${after.claimedAt}::timestamptz`
            : db`and (c.claimed_at, c.id) < (${after.claimedAt}::timestamptz, ${after.id}::uuid)`
      }
    order by c.claimed_at desc, c.id desc
    limit ${q.limit + 1}`;
}
