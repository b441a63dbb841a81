// The beads sync write path (contract beadhub.md §13.3, §13.4): one set-based
// statement per chunk of up to 5,000 issues, inside the caller's transaction.
//
// Concurrency: every writer of a (project, repo, branch) issue set first takes
// a transaction-scoped advisory lock on that triple. Two syncs of overlapping
// issues therefore run one after the other: the second sees the first's rows
// (so "existing", old statuses and the stale check are exact), nothing is lost
// or duplicated, and two batches can never deadlock on each other's row locks.
// Different repos/branches/projects never wait for each other.
import type { Db } from "../db/pool";
import { isValidBeadId, toIssueRow, type IssueRecord } from "./records";

const CHUNK = 5000;

export interface StatusChange {
  bead_id: string;
  repo: string;
  branch: string;
  old_status: string;
  new_status: string;
  title: string | null;
}

export interface UpsertResult {
  issuesSynced: number;
  added: number;
  updated: number;
  /** Existing rows skipped because the incoming updated_at is older (input order). */
  conflicts: string[];
  /** Rows whose non-null stored status changed to a different non-empty one (§13.5 notifies only these). */
  statusChanges: StatusChange[];
  /** Any written row got a new non-empty status, new rows included (the reference's drain trigger). */
  anyStatusChange: boolean;
  /** The synced_at written on every row (transaction time). */
  syncedAt: string;
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

async function upsertChunk(tx: Db, projectId: string, repo: string, branch: string, now: string, rows: unknown[]) {
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
      -- stale protection (§19.4): an older incoming updated_at never overwrites; equal ones do
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

/**
 * Upsert validated issues (bead_id → record) into (project, repo, branch).
 * Call inside a transaction after lockIssueSet.
 */
export async function upsertIssues(
  tx: Db,
  projectId: string,
  repo: string,
  branch: string,
  issues: Map<string, IssueRecord>,
  now: string,
): Promise<UpsertResult> {
  const result: UpsertResult = { issuesSynced: issues.size, added: 0, updated: 0, conflicts: [], statusChanges: [], anyStatusChange: false, syncedAt: now };
  let chunk: unknown[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const r = await upsertChunk(tx, projectId, repo, branch, now, chunk);
    chunk = [];
    result.added += r.added;
    result.updated += r.updated;
    result.conflicts.push(...r.conflicts);
    if (r.status_touched > 0) result.anyStatusChange = true;
    for (const c of r.changes) result.statusChanges.push({ ...c, repo, branch });
  };
  let ord = 0;
  for (const [id, record] of issues) {
    chunk.push({ ord: ord++, ...toIssueRow(id, record, repo, branch, issues) });
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  return result;
}

/** Hard-delete rows by bead_id (§13.4); invalid ids are ignored. Returns the count. */
export async function deleteIssues(tx: Db, projectId: string, repo: string, branch: string, ids: string[]): Promise<number> {
  const valid = [...new Set(ids.filter(isValidBeadId))];
  if (valid.length === 0) return 0;
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
