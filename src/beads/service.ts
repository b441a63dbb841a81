// Beads (docs/protocol/sync.md#beads-issues, docs/protocol/sync.md#beads-parsing): reading synced issues (the list, one
// issue, the ready set), uploads (docs/protocol/sync.md#beads-upload), and the write path of an issue
// set that uploads and bdh's sync share. The routes check the query's wire
// rules first; the MCP tools hand in the same parsed values.
import type { Deps } from "../deps";
import type { Db } from "../db/pool";
import type { RequestAuth } from "../auth/identity";
import { writeAudit } from "../audit/service";
import { badRequest, notFound } from "../http/errors";
import { runBulk } from "../http/rate-limits";
import { encodeCursor } from "../http/wire";
import { afterBeadsCommit, recordNotificationIntents } from "../notifications/service";
import {
  countIssues,
  deleteIssues,
  findIssue,
  listIssues,
  listReady,
  lockIssueSet,
  projectMirrorExists,
  upsertIssueChunk,
} from "./data";
import type { IssueCursor, IssueFilters, UploadAnswer, UpsertResult } from "./model";
import { yieldDue, yieldToOthers } from "../cooperate";
import { JsonlError, parseJsonl } from "./jsonl";
import { isValidBeadId, removeUnstorable, toIssueRow, validateIssues, type IssueRecord } from "./records";

/** Rows per upsert statement. */
const CHUNK = 5000;

/** One keyset page of the project's issues. */
export async function issuePage(deps: Deps, projectId: string, filters: IssueFilters, cursor: IssueCursor | null, limit: number) {
  const rows = await listIssues(deps.sql, projectId, filters, cursor, limit);
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    issues: page.map(({ sort_time: _sortTime, ...issue }) => issue),
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
  return row;
}

/** Open issues whose blockers are all closed. */
export async function readyIssues(deps: Deps, projectId: string, repo: string | null, branch: string | null, limit: number) {
  const rows = await listReady(deps.sql, projectId, repo, branch, limit);
  return { issues: rows, count: rows.length };
}

/**
 * Upsert validated issues (bead_id → record) into (project, repo, branch):
 * one set-based statement per chunk of up to CHUNK issues. Call inside a
 * transaction after lockIssueSet.
 */
async function upsertIssues(
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
    const r = await upsertIssueChunk(tx, projectId, repo, branch, now, chunk);
    chunk = [];
    result.added += r.added;
    result.updated += r.updated;
    result.conflicts.push(...r.conflicts);
    if (r.status_touched > 0) result.anyStatusChange = true;
    for (const c of r.changes) result.statusChanges.push({ ...c, repo, branch });
  };
  let ord = 0;
  for (const [id, record] of issues) {
    if (yieldDue(ord)) await yieldToOthers();
    chunk.push({ ord: ord++, ...toIssueRow(id, record, repo, branch, issues) });
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  return result;
}

export interface IssueSetWrite {
  /** null when no issues were sent (an incremental sync of deletions only). */
  upsert: UpsertResult | null;
  deleted: number;
}

/**
 * Inside the caller's transaction: take the issue set's lock, upsert the
 * issues, hard-delete `deletedIds` (docs/protocol/sync.md#beads-issues; invalid ids are ignored), and
 * record the notification intents of the status changes.
 */
export async function writeIssueSet(
  tx: Db,
  projectId: string,
  repo: string,
  branch: string,
  issues: Map<string, IssueRecord> | null,
  deletedIds: string[],
): Promise<IssueSetWrite> {
  const now = await lockIssueSet(tx, projectId, repo, branch);
  const upsert = issues ? await upsertIssues(tx, projectId, repo, branch, issues, now) : null;
  const valid = [...new Set(deletedIds.filter(isValidBeadId))];
  const deleted = valid.length > 0 ? await deleteIssues(tx, projectId, repo, branch, valid) : 0;
  if (upsert) await recordNotificationIntents(tx, projectId, upsert.statusChanges);
  return { upsert, deleted };
}

/** How many issues the set holds (in the caller's transaction, after writeIssueSet). */
export async function countIssueSet(tx: Db, projectId: string, repo: string, branch: string): Promise<number> {
  return countIssues(tx, projectId, repo, branch);
}

/** Issues sent as JSONL (upload-jsonl, bdh sync): a line that does not parse is a 400, before anything is written. */
export async function issuesFromJsonl(content: string): Promise<Map<string, IssueRecord>> {
  try {
    return validateIssues(await parseJsonl(content));
  } catch (err) {
    if (err instanceof JsonlError) throw badRequest(err.message);
    throw err;
  }
}

export interface UploadInput {
  repo: string;
  branch: string;
  issues: Map<string, IssueRecord>;
  source: "json" | "jsonl";
}

/**
 * POST /v1/beads/upload and /upload-jsonl: the sync algorithm (docs/protocol/sync.md#beads-issues) for any
 * (repo, branch), reporting stale conflicts. The beads_uploaded audit row
 * commits with the upsert (not best effort).
 */
export async function uploadIssues(deps: Deps, auth: RequestAuth, input: UploadInput): Promise<UploadAnswer> {
  const identity = await auth.aweb();
  const projectId = identity.projectId;
  const { repo, branch } = input;
  const rejected = removeUnstorable(input.issues);
  // bulk work: its own share of the pool and a per-project cap (issue 19)
  const result = await runBulk(deps.config, projectId, () => deps.sql.begin(async (tx) => {
    const { upsert } = await writeIssueSet(tx, projectId, repo, branch, input.issues, []);
    // a project bootstrapped without a repo has nothing to attach the audit row to
    if (await projectMirrorExists(tx, projectId)) {
      await writeAudit(tx, {
        projectId,
        eventType: "beads_uploaded",
        details: {
          project_id: projectId,
          repo,
          branch,
          issues_synced: upsert!.issuesSynced,
          issues_added: upsert!.added,
          issues_updated: upsert!.updated,
          source: input.source,
        },
      });
    }
    return upsert!;
  }));
  const notifications = await afterBeadsCommit(deps, auth, {
    projectId,
    eventWorkspaceId: identity.agentId,
    changes: result.statusChanges,
    drain: result.anyStatusChange,
  });
  return {
    status: notifications.failed === 0 ? "completed" : "completed_with_errors",
    repo,
    branch,
    issues_synced: result.issuesSynced,
    issues_added: result.added,
    issues_updated: result.updated,
    conflicts: result.conflicts,
    conflicts_count: result.conflicts.length,
    notifications_sent: notifications.sent,
    notifications_failed: notifications.failed,
    synced_at: result.syncedAt,
    // present only when something was left out: the answer bdh knows is unchanged
    ...(rejected.length > 0 ? { rejected } : {}),
  };
}
