// Beads: the answers of /v1/beads (docs/protocol/sync.md#beads-upload), declared once.
import { t } from "elysia";
import { Uuid } from "../http/model";

const Text = t.Nullable(t.String());

export const BeadRefModel = t.Object({ repo: t.String(), branch: t.String(), bead_id: t.String() });
export type BeadRef = typeof BeadRefModel.static;

/** An issue left out of a sync or upload, reported in the answer (docs/decisions.md, issue 19). */
export const RejectedIssue = t.Object({ bead_id: t.String(), field: t.String(), detail: t.String() });
export type RejectedIssue = typeof RejectedIssue.static;

/** Upload answer (JSON and JSONL). */
export const UploadResult = t.Object({
  status: t.UnionEnum(["completed", "completed_with_errors"]),
  repo: t.String(),
  branch: t.String(),
  issues_synced: t.Integer(),
  issues_added: t.Integer(),
  issues_updated: t.Integer(),
  conflicts: t.Array(t.String()),
  conflicts_count: t.Integer(),
  notifications_sent: t.Integer(),
  notifications_failed: t.Integer(),
  synced_at: t.String(),
});
/** What an upload answers: the model, plus the issues left out when any (issue 19). */
export type UploadAnswer = typeof UploadResult.static & { rejected?: RejectedIssue[] };

const issueFields = {
  bead_id: t.String(),
  repo: t.String(),
  branch: t.String(),
  title: Text,
  status: Text,
  priority: t.Nullable(t.Integer()),
  type: Text,
  assignee: Text,
  created_by: Text,
  labels: t.Nullable(t.Array(t.String())),
  blocked_by: t.Nullable(t.Array(BeadRefModel)),
  parent_id: t.Nullable(BeadRefModel),
  created_at: Text,
  updated_at: Text,
  current_reservation: t.Null(),
};

export const IssueListItem = t.Object({ ...issueFields, reservations: t.Array(t.Unknown()) });
export type IssueListItem = typeof IssueListItem.static;

/** A row of the list query: the item plus its sort key, which only the next cursor carries. */
export type IssueListRow = IssueListItem & { sort_time: string };

export const IssuePage = t.Object({
  issues: t.Array(IssueListItem),
  count: t.Integer(),
  has_more: t.Boolean(),
  next_cursor: Text,
  synced_at: t.Null(),
});

const { bead_id, ...issueRest } = issueFields;

/** One issue; project_id follows bead_id on the wire (the reference's key order). */
export const IssueDetail = t.Object({ bead_id, project_id: Uuid, ...issueRest, description: Text });
export type IssueDetail = typeof IssueDetail.static;

export const ReadyIssue = t.Object({
  bead_id: issueFields.bead_id,
  repo: issueFields.repo,
  branch: issueFields.branch,
  title: issueFields.title,
  status: issueFields.status,
  priority: issueFields.priority,
  type: issueFields.type,
  blocked_by: issueFields.blocked_by,
  current_reservation: issueFields.current_reservation,
});
export type ReadyIssue = typeof ReadyIssue.static;

export const ReadyIssues = t.Object({ issues: t.Array(ReadyIssue), count: t.Integer() });

// The service's inputs and the write path's result (not on the wire).

/** The list filters of GET /v1/beads/issues, parsed. */
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
  /** Rows whose non-null stored status changed to a different non-empty one (docs/protocol/sync.md#beads-notifications notifies only these). */
  statusChanges: StatusChange[];
  /** Any written row got a new non-empty status, new rows included (the reference's drain trigger). */
  anyStatusChange: boolean;
  /** The synced_at written on every row (transaction time). */
  syncedAt: string;
}
