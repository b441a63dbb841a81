// beads.beads_issues: SQL only (docs/protocol/sync.md#beads-issues, docs/protocol/sync.md#beads-upload reads, docs/protocol/sync.md#beads-issues
// the sync write path). The rules that use these statements are in service.ts.
//
// Concurrency: every writer of a (project, repo, branch) issue set first takes
// a transaction-scoped advisory lock on that triple. Two syncs of overlapping
// issues therefore run one after the other: the second sees the first's rows
// (so "existing", old statuses and the stale check are exact), nothing is lost
// or duplicated, and two batches can never deadlock on each other's row locks.
// Different repos/branches/projects never wait for each other.
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import {
  IssueDetail,
  IssueListItem,
  ReadyIssue,
  type IssueCursor,
  type IssueFilters,
  type IssueListRow,
} from "./model";

/** Wire fields the table stores under another name or not at all (no reservation is ever attached here). */
const computed = (db: Db) => ({
  type: db`i.issue_type`,
  current_reservation: db`null`,
  reservations: db`'[]'::jsonb`,
});

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
    select ${selectList(db, IssueListItem, "i", computed(db))}, coalesce(i.updated_at, i.synced_at) as sort_time
    from beads.beads_issues i
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

/** Exact (repo, branch) lookup when both are given, else the first by repo, branch (docs/protocol/sync.md#beads-upload). */
export async function findIssue(db: Db, projectId: string, beadId: string, repo: string | null, branch: string | null) {
  const exact = repo !== null && branch !== null;
  const rows = await db<IssueDetail[]>`
    select ${selectList(db, IssueDetail, "i", computed(db))}
    from beads.beads_issues i
    where project_id = ${projectId} and bead_id = ${beadId}
      ${exact ? db`and repo = ${repo} and branch = ${branch}` : db``}
    order by repo asc, branch asc
    limit 1`;
  return rows[0] ?? null;
}

/**
 * Open issues whose every blocker is a row of the same project with exactly
 * that repo/branch/bead_id and status 'closed'; a blocker that was never
 * synced (another repo included) still blocks (docs/protocol/sync.md#beads-upload).
 */
export async function listReady(db: Db, projectId: string, repo: string | null, branch: string | null, limit: number) {
  return db<ReadyIssue[]>`
    select ${selectList(db, ReadyIssue, "i", computed(db))}
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

/** Serialize writers of one issue set; returns the transaction's now(). */
export async function lockIssueSet(tx: Db, projectId: string, repo: string, branch: string): Promise<string> {
  const [row] = await tx<{ now: string }[]>`
    select now() as now
    from (select pg_advisory_xact_lock(hashtextextended(${`beads:${projectId}:${repo}:${branch}`}, 0))) as l`;
  return row.now;
}

interface ChunkResult {
  added: number;
  updated: number;
  conflicts: string[];
  status_touched: number;
  changes: { bead_id: string; old_status: string; new_status: string; title: string | null }[];
}

/** One set-based upsert of a chunk of issue rows (in input order, `ord`); call after lockIssueSet. */
export async function upsertIssueChunk(tx: Db, projectId: string, repo: string, branch: string, now: string, rows: unknown[]) {
  const [r] = await tx<ChunkResult[]>`
    with input as (
      select *
      from json_to_recordset(${JSON.stringify(rows)}::text::json) as x(
        ord integer, bead_id text, title text, description text, status text, priority integer,
        issue_type text, assignee text, created_by text, labels text[], blocked_by jsonb,
        parent_id jsonb, created_at timestamptz, updated_at timestamptz)
    ),
    existing as (
      select b.bead_id, b.status
      from beads.beads_issues b
      join input i on i.bead_id = b.bead_id
      where b.project_id = ${projectId} and b.repo = ${repo} and b.branch = ${branch}
    ),
    written as (
      insert into beads.beads_issues as t (
        project_id, bead_id, repo, branch, title, description, status, priority, issue_type,
        assignee, created_by, labels, blocked_by, parent_id, created_at, updated_at, synced_at)
      select ${projectId}, bead_id, ${repo}, ${branch}, title, description, status, priority, issue_type,
             assignee, created_by, labels, blocked_by, parent_id, created_at, updated_at, ${now}
      from input
      on conflict (project_id, repo, branch, bead_id) do update set
        title = excluded.title,
        description = excluded.description,
        status = excluded.status,
        priority = excluded.priority,
        issue_type = excluded.issue_type,
        assignee = excluded.assignee,
        created_by = coalesce(excluded.created_by, t.created_by),
        labels = excluded.labels,
        blocked_by = excluded.blocked_by,
        parent_id = excluded.parent_id,
        created_at = excluded.created_at,
        updated_at = excluded.updated_at,
        synced_at = excluded.synced_at
      -- stale protection (docs/protocol/sync.md#beads-issues): an older incoming updated_at never overwrites; equal ones do
      where excluded.updated_at is null or t.updated_at is null or excluded.updated_at >= t.updated_at
      returning t.bead_id
    )
    select
      count(*) filter (where e.bead_id is null)::int as added,
      count(*) filter (where e.bead_id is not null and w.bead_id is not null)::int as updated,
      count(*) filter (where w.bead_id is not null and i.status <> '' and e.status is distinct from i.status)::int
        as status_touched,
      coalesce(array_agg(i.bead_id order by i.ord) filter (where e.bead_id is not null and w.bead_id is null), '{}') as conflicts,
      coalesce(
        jsonb_agg(jsonb_build_object('bead_id', i.bead_id, 'old_status', e.status, 'new_status', i.status, 'title', i.title)
                  order by i.ord)
          filter (where w.bead_id is not null and e.status is not null and i.status <> '' and i.status <> e.status),
        '[]'::jsonb) as changes
    from input i
    left join existing e on e.bead_id = i.bead_id
    left join written w on w.bead_id = i.bead_id`;
  return r;
}

/** Hard-delete rows by bead_id (docs/protocol/sync.md#beads-issues). Returns the count. */
export async function deleteIssues(tx: Db, projectId: string, repo: string, branch: string, valid: string[]): Promise<number> {
  const rows = await tx`
    delete from beads.beads_issues
    where project_id = ${projectId} and repo = ${repo} and branch = ${branch} and bead_id = any(${tx.array(valid)}::text[])
    returning id`;
  return rows.length;
}

export async function countIssues(db: Db, projectId: string, repo: string, branch: string): Promise<number> {
  const [r] = await db<{ n: number }[]>`
    select count(*)::int as n from beads.beads_issues
    where project_id = ${projectId} and repo = ${repo} and branch = ${branch}`;
  return r.n;
}

/**
 * audit_log hangs off server.projects; a project bootstrapped without a repo
 * has no mirror row yet.
 */
export async function projectMirrorExists(db: Db, projectId: string): Promise<boolean> {
  const rows = await db`select 1 from server.projects where id = ${projectId}`;
  return rows.length > 0;
}
