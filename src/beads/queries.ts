// Reads of beads_issues for the dashboard (contract beadhub.md §7.3–7.5).
import type { Db } from "../db/pool";
import type { BeadRef } from "./records";

export interface IssueListRow {
  bead_id: string;
  repo: string;
  branch: string;
  title: string | null;
  status: string | null;
  priority: number | null;
  issue_type: string | null;
  assignee: string | null;
  created_by: string | null;
  labels: string[] | null;
  blocked_by: BeadRef[] | null;
  parent_id: BeadRef | null;
  created_at: string | null;
  updated_at: string | null;
  sort_time: string;
}

export interface IssueFilters {
  repo: string | null;
  branch: string | null;
  statuses: string[];
  assignee: string | null;
  createdBy: string | null;
  label: string | null;
  type: string | null;
  q: string | null;
}

/** Keyset position: the sort key of the last row of the previous page. */
export interface IssueCursor {
  sortTime: string;
  priority: number | null;
  beadId: string;
}

const escapeLike = (s: string) => s.replace(/\\/g, "\\\\").replace(/%/g, "\\%").replace(/_/g, "\\_");

/**
 * Order: COALESCE(updated_at, synced_at) DESC, priority ASC (nulls last),
 * bead_id ASC. Unlike the reference, a null priority pages correctly (the
 * reference's cursor could not carry it and answered 422 on the next page).
 */
export async function listIssues(db: Db, projectId: string, f: IssueFilters, cursor: IssueCursor | null, limit: number) {
  const none = db``;
  const after = cursor
    ? db`and (
        coalesce(updated_at, synced_at) < ${cursor.sortTime}::timestamptz
        or (coalesce(updated_at, synced_at) = ${cursor.sortTime}::timestamptz and ${
          cursor.priority === null
            ? db`priority is null and bead_id > ${cursor.beadId}`
            : db`(priority > ${cursor.priority} or priority is null
                  or (priority = ${cursor.priority} and bead_id > ${cursor.beadId}))`
        }))`
    : none;
  return db<IssueListRow[]>`
    select bead_id, repo, branch, title, status, priority, issue_type, assignee, created_by, labels,
           blocked_by, parent_id, created_at, updated_at, coalesce(updated_at, synced_at) as sort_time
    from beads.beads_issues
    where project_id = ${projectId}
      ${f.repo ? db`and repo = ${f.repo}` : none}
      ${f.branch ? db`and branch = ${f.branch}` : none}
      ${f.statuses.length > 0 ? db`and status = any(${db.array(f.statuses)}::text[])` : none}
      ${f.assignee ? db`and assignee = ${f.assignee}` : none}
      ${f.createdBy ? db`and created_by = ${f.createdBy}` : none}
      ${f.label ? db`and ${f.label} = any(labels)` : none}
      ${f.type ? db`and issue_type = ${f.type}` : none}
      ${
        f.q
          ? db`and (bead_id ilike ${escapeLike(f.q) + "%"} escape '\\' or title ilike ${"%" + escapeLike(f.q) + "%"} escape '\\')`
          : none
      }
      ${after}
    order by coalesce(updated_at, synced_at) desc, priority asc nulls last, bead_id asc
    limit ${limit + 1}`;
}

export interface IssueDetailRow extends Omit<IssueListRow, "sort_time"> {
  description: string | null;
}

/** Exact (repo, branch) lookup when both are given, else the first by repo, branch (§7.4). */
export async function findIssue(db: Db, projectId: string, beadId: string, repo: string | null, branch: string | null) {
  const exact = repo !== null && branch !== null;
  const rows = await db<IssueDetailRow[]>`
    select bead_id, repo, branch, title, description, status, priority, issue_type, assignee, created_by,
           labels, blocked_by, parent_id, created_at, updated_at
    from beads.beads_issues
    where project_id = ${projectId} and bead_id = ${beadId}
      ${exact ? db`and repo = ${repo} and branch = ${branch}` : db``}
    order by repo asc, branch asc
    limit 1`;
  return rows[0] ?? null;
}

export interface ReadyRow {
  bead_id: string;
  repo: string;
  branch: string;
  title: string | null;
  status: string;
  priority: number | null;
  issue_type: string | null;
  blocked_by: BeadRef[] | null;
}

/**
 * Open issues whose every blocker is a row of the same project with exactly
 * that repo/branch/bead_id and status 'closed'; a blocker that was never
 * synced (another repo included) still blocks (§7.5).
 */
export async function listReady(db: Db, projectId: string, repo: string | null, branch: string | null, limit: number) {
  return db<ReadyRow[]>`
    select i.bead_id, i.repo, i.branch, i.title, i.status, i.priority, i.issue_type, i.blocked_by
    from beads.beads_issues i
    where i.project_id = ${projectId}
      and i.status = 'open'
      and not exists (
        select 1
        from jsonb_array_elements(coalesce(i.blocked_by, '[]'::jsonb)) as blocker
        left join beads.beads_issues b
          on b.project_id = i.project_id
         and b.repo = blocker ->> 'repo'
         and b.branch = blocker ->> 'branch'
         and b.bead_id = blocker ->> 'bead_id'
        where b.bead_id is null or b.status is distinct from 'closed')
      ${repo ? db`and i.repo = ${repo}` : db``}
      ${branch ? db`and i.branch = ${branch}` : db``}
    order by i.priority asc, i.bead_id asc
    limit ${limit}`;
}
