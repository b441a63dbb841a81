// Read side of the workspace lists (docs/protocol/workspaces.md): the SQL
// rows before presence and claims are merged in (service.ts).
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { WorkspaceClaim, WorkspaceListRow, type ClaimInfo } from "./model";

export type TeamRow = WorkspaceListRow & { claim_count: number; last_claimed_at: string | null };

/** The list row's select list; needs aliases w, p, r and focus_issue. */
const columns = (db: Db) =>
  selectList(db, WorkspaceListRow, "w", {
    project_slug: db`p.slug`,
    repo: db`r.canonical_origin`,
    branch: db`w.current_branch`,
    focus_apex_id: db`w.focus_apex_bead_id`,
    focus_apex_title: db`focus_issue.title`,
    focus_apex_type: db`focus_issue.issue_type`,
    last_seen: db`w.last_seen_at`,
  });

/** The focus apex's title/type: the newest-synced issue at exactly that repo/branch/bead. */
const focusIssueJoin = (db: Db) => db`
  left join lateral (
    select title, issue_type
    from beads.beads_issues
    where w.focus_apex_bead_id is not null
      and project_id = w.project_id
      and bead_id = w.focus_apex_bead_id
      and repo = w.focus_apex_repo_name
      and branch = w.focus_apex_branch
    order by synced_at desc
    limit 1
  ) focus_issue on true`;

export interface ListFilters {
  projectId: string;
  humanName: string | null;
  repo: string | null;
  alias: string | null;
  hostname: string | null;
  includeDeleted: boolean;
  /** Keyset position: rows strictly after (updated_at, workspace_id) in DESC order. */
  after: { updatedAt: string; workspaceId: string | null } | null;
  limit: number;
}

/** GET /v1/workspaces: updated_at DESC (workspace_id DESC breaks ties), limit+1 rows. */
export async function listWorkspaceRows(db: Db, f: ListFilters): Promise<WorkspaceListRow[]> {
  const after = f.after;
  return db<WorkspaceListRow[]>`
    select ${columns(db)}
    from server.workspaces w
    join server.projects p on p.id = w.project_id and p.deleted_at is null
    left join server.repos r on r.id = w.repo_id and r.deleted_at is null
    ${focusIssueJoin(db)}
    where w.project_id = ${f.projectId}
      ${f.humanName !== null ? db`and w.human_name = ${f.humanName}` : db``}
      ${f.repo !== null ? db`and r.canonical_origin = ${f.repo}` : db``}
      ${f.alias !== null ? db`and w.alias = ${f.alias}` : db``}
      ${f.hostname !== null ? db`and w.hostname = ${f.hostname}` : db``}
      ${f.includeDeleted ? db`` : db`and w.deleted_at is null`}
      ${
        after === null
          ? db``
          : after.workspaceId === null
            ? db`and w.updated_at < ${after.updatedAt}::timestamptz`
            : db`and (w.updated_at, w.workspace_id) < (${after.updatedAt}::timestamptz, ${after.workspaceId}::uuid)`
      }
    order by w.updated_at desc, w.workspace_id desc
    limit ${f.limit + 1}`;
}

export interface TeamFilters {
  projectId: string;
  humanName: string | null;
  repo: string | null;
  onlyWithClaims: boolean;
  /** Fetch just this workspace (the always-included one); only_with_claims does not apply. */
  workspaceId: string | null;
  limit: number;
}

/** GET /v1/workspaces/team candidates, in the SQL pre-order (the final order needs presence). */
export async function listTeamRows(db: Db, f: TeamFilters): Promise<TeamRow[]> {
  return db<TeamRow[]>`
    with claim_stats as (
      select workspace_id, count(*)::int as claim_count, max(claimed_at) as last_claimed_at
      from server.bead_claims
      where project_id = ${f.projectId}
      group by workspace_id
    )
    select ${columns(db)}, coalesce(cs.claim_count, 0)::int as claim_count, cs.last_claimed_at
    from server.workspaces w
    join server.projects p on p.id = w.project_id and p.deleted_at is null
    left join server.repos r on r.id = w.repo_id and r.deleted_at is null
    left join claim_stats cs on cs.workspace_id = w.workspace_id
    ${focusIssueJoin(db)}
    where w.project_id = ${f.projectId}
      and w.deleted_at is null
      ${f.humanName !== null ? db`and w.human_name = ${f.humanName}` : db``}
      ${f.repo !== null ? db`and r.canonical_origin = ${f.repo}` : db``}
      ${
        f.workspaceId !== null
          ? db`and w.workspace_id = ${f.workspaceId}`
          : f.onlyWithClaims
            ? db`and coalesce(cs.claim_count, 0) > 0`
            : db``
      }
    order by (coalesce(cs.claim_count, 0) > 0) desc,
      w.last_seen_at desc nulls last,
      cs.last_claimed_at desc nulls last,
      w.alias asc
    limit ${f.limit}`;
}

export type WorkspaceClaimRow = ClaimInfo & { workspace_id: string };

/**
 * Claims of these workspaces, newest first per workspace. The claim title is the
 * newest-synced issue with that bead_id anywhere in the project; the apex
 * title/type come from the exact apex row (docs/protocol/workspaces.md#workspaces-list).
 */
export async function listClaimsOfWorkspaces(db: Db, projectId: string, workspaceIds: string[]): Promise<WorkspaceClaimRow[]> {
  if (workspaceIds.length === 0) return [];
  return db<WorkspaceClaimRow[]>`
    select c.workspace_id, ${selectList(db, WorkspaceClaim, "c", {
      title: db`claim_issue.title`,
      apex_id: db`c.apex_bead_id`,
      apex_title: db`apex_issue.title`,
      apex_type: db`apex_issue.issue_type`,
    })}
    from server.bead_claims c
    left join lateral (
      select title from beads.beads_issues
      where project_id = c.project_id and bead_id = c.bead_id
      order by synced_at desc
      limit 1
    ) claim_issue on true
    left join lateral (
      select title, issue_type from beads.beads_issues
      where c.apex_bead_id is not null
        and project_id = c.project_id
        and bead_id = c.apex_bead_id
        and repo = c.apex_repo_name
        and branch = c.apex_branch
      order by synced_at desc
      limit 1
    ) apex_issue on true
    where c.project_id = ${projectId} and c.workspace_id in ${db(workspaceIds)}
    order by c.workspace_id, c.claimed_at desc, c.bead_id`;
}
