// Bead claims, the write side (contract beadhub.md §14): who is working on
// which bead, and each workspace's focus apex for team status.
//
// Exclusivity is per (project, bead_id) across repos (§19.6). A claim takes a
// transaction-scoped advisory lock on (project, bead) before it looks for
// another holder, so two agents claiming the same bead at the same moment
// cannot both see "free": exactly one wins, the other gets the conflict.
// Decision (§20 Q1): a jump-in keeps the reference's single holder — bdh's
// --:jump-in only overrides the pre-flight on the client, the server answers
// claim_rejected and writes no second row.
import type { Db, Sql } from "../db/pool";

export interface Apex {
  bead_id: string;
  repo: string;
  branch: string;
}

export interface ClaimHolder {
  workspace_id: string;
  alias: string;
  human_name: string;
}

export interface RecentClaim {
  bead_id: string;
  workspace_id: string;
  alias: string;
  human_name: string;
  claimed_at: string;
}

const MAX_APEX_HOPS = 20;

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

/** The 200 most recent claims of the project, the caller's own included (§8.1 step 4). */
export async function listRecentClaims(db: Db, projectId: string, limit = 200): Promise<RecentClaim[]> {
  return db<RecentClaim[]>`
    select bead_id, workspace_id, alias, human_name, claimed_at
    from server.bead_claims
    where project_id = ${projectId}
    order by claimed_at desc
    limit ${limit}`;
}

export const claimConflictReason = (beadId: string, holder: ClaimHolder) =>
  `${beadId} is being worked on by ${holder.alias} (${holder.human_name})`;

export interface ClaimInput {
  projectId: string;
  workspaceId: string;
  alias: string;
  humanName: string;
  beadId: string;
}

/** Claim a bead; returns the other holder on conflict (nothing written), else null. */
export async function claimBead(sql: Sql, c: ClaimInput): Promise<ClaimHolder | null> {
  const apex = await resolveApex(sql, c.projectId, c.beadId);
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtextextended(${`claim:${c.projectId}:${c.beadId}`}, 0))`;
    const holder = await findOtherHolder(tx, c.projectId, c.beadId, c.workspaceId);
    if (holder) return holder;
    await tx`
      insert into server.bead_claims
        (project_id, workspace_id, alias, human_name, bead_id, apex_bead_id, apex_repo_name, apex_branch, claimed_at)
      values (${c.projectId}, ${c.workspaceId}, ${c.alias}, ${c.humanName}, ${c.beadId},
              ${apex?.bead_id ?? null}, ${apex?.repo ?? null}, ${apex?.branch ?? null}, now())
      on conflict (project_id, bead_id, workspace_id) do update set
        alias = excluded.alias,
        human_name = excluded.human_name,
        apex_bead_id = excluded.apex_bead_id,
        apex_repo_name = excluded.apex_repo_name,
        apex_branch = excluded.apex_branch,
        claimed_at = excluded.claimed_at`;
    if (apex) {
      await tx`
        update server.workspaces
        set focus_apex_bead_id = ${apex.bead_id}, focus_apex_repo_name = ${apex.repo},
            focus_apex_branch = ${apex.branch}, focus_updated_at = now()
        where project_id = ${c.projectId} and workspace_id = ${c.workspaceId}`;
    }
    return null;
  });
}

/**
 * Release this workspace's claims on these beads, then point its focus at the
 * apex of its most recent remaining claim (or clear it). focus_updated_at is
 * bumped even when nothing was deleted, as in the reference.
 */
export async function releaseClaims(sql: Sql, projectId: string, workspaceId: string, beadIds: string[]): Promise<number> {
  if (beadIds.length === 0) return 0;
  return sql.begin(async (tx) => {
    const deleted = await tx`
      delete from server.bead_claims
      where project_id = ${projectId} and workspace_id = ${workspaceId} and bead_id = any(${tx.array(beadIds)}::text[])
      returning id`;
    await tx`
      update server.workspaces
      set (focus_apex_bead_id, focus_apex_repo_name, focus_apex_branch) = (
            select apex_bead_id, apex_repo_name, apex_branch
            from server.bead_claims
            where project_id = ${projectId} and workspace_id = ${workspaceId}
            order by claimed_at desc
            limit 1),
          focus_updated_at = now()
      where project_id = ${projectId} and workspace_id = ${workspaceId}`;
    return deleted.length;
  });
}
