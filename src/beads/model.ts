// Beads: the answers of /v1/beads (beadhub.md §7), declared once.
import { t } from "elysia";
import { Uuid } from "../http/model";

const Text = t.Nullable(t.String());

export const BeadRefModel = t.Object({ repo: t.String(), branch: t.String(), bead_id: t.String() });

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

export const IssuePage = t.Object({
  issues: t.Array(IssueListItem),
  count: t.Integer(),
  has_more: t.Boolean(),
  next_cursor: Text,
  synced_at: t.Null(),
});

export const IssueDetail = t.Object({ ...issueFields, project_id: Uuid, description: Text });

export const ReadyIssues = t.Object({
  issues: t.Array(
    t.Object({
      bead_id: t.String(),
      repo: t.String(),
      branch: t.String(),
      title: Text,
      status: Text,
      priority: t.Nullable(t.Integer()),
      type: Text,
      blocked_by: t.Nullable(t.Array(BeadRefModel)),
      current_reservation: t.Null(),
    }),
  ),
  count: t.Integer(),
});
