// Reading synced issues (contract beadhub.md §7.3–7.5): the list, one issue,
// and the ready set. The routes check the query's wire rules first; the MCP
// tools hand in the same parsed values.
import type { Deps } from "../deps";
import { notFound } from "../http/errors";
import { encodeCursor } from "../http/wire";
import { findIssue, listIssues, listReady, type IssueCursor, type IssueFilters, type IssueListRow } from "./queries";

function issueView(r: Omit<IssueListRow, "sort_time">) {
  return {
    bead_id: r.bead_id,
    repo: r.repo,
    branch: r.branch,
    title: r.title,
    status: r.status,
    priority: r.priority,
    type: r.issue_type,
    assignee: r.assignee,
    created_by: r.created_by,
    labels: r.labels,
    blocked_by: r.blocked_by,
    parent_id: r.parent_id,
    created_at: r.created_at,
    updated_at: r.updated_at,
    current_reservation: null,
  };
}

/** One keyset page of the project's issues. */
export async function issuePage(deps: Deps, projectId: string, filters: IssueFilters, cursor: IssueCursor | null, limit: number) {
  const rows = await listIssues(deps.sql, projectId, filters, cursor, limit);
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    issues: page.map((r) => ({ ...issueView(r), reservations: [] as unknown[] })),
    count: page.length,
    has_more: hasMore,
    next_cursor: hasMore ? encodeCursor({ sort_time: last.sort_time, priority: last.priority, bead_id: last.bead_id }) : null,
    synced_at: null,
  };
}

/** One issue (exact with repo and branch, else the newest synced); 404 when absent. */
export async function issueDetail(deps: Deps, projectId: string, beadId: string, repo: string | null, branch: string | null) {
  // no stored bead_id can contain NUL (Postgres text cannot)
  const row = beadId.includes("\0") ? null : await findIssue(deps.sql, projectId, beadId, repo, branch);
  if (!row) throw notFound("Issue not found");
  const { bead_id, ...rest } = issueView(row);
  return { bead_id, project_id: projectId, ...rest, description: row.description };
}

/** Open issues whose blockers are all closed. */
export async function readyIssues(deps: Deps, projectId: string, repo: string | null, branch: string | null, limit: number) {
  const rows = await listReady(deps.sql, projectId, repo, branch, limit);
  return {
    issues: rows.map((r) => ({
      bead_id: r.bead_id,
      repo: r.repo,
      branch: r.branch,
      title: r.title,
      status: r.status,
      priority: r.priority,
      type: r.issue_type,
      blocked_by: r.blocked_by,
      current_reservation: null,
    })),
    count: rows.length,
  };
}
