// Workspace lists: the queries and answers of GET /v1/workspaces, /team and
// /online (docs/protocol/workspaces.md), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

const Text = t.Nullable(t.String());
const optionalString = (maxLength: number) => t.Optional(t.String({ maxLength }));

/** GET /v1/workspaces. Booleans, ints and the cursor are parsed by the wire rules. */
export const WorkspaceListQuery = t.Object({
  human_name: optionalString(64),
  repo: optionalString(255),
  alias: optionalString(64),
  hostname: optionalString(255),
  include_deleted: t.Optional(t.String()),
  include_claims: t.Optional(t.String()),
  include_presence: t.Optional(t.String()),
  limit: t.Optional(t.String()),
  cursor: t.Optional(t.String()),
});

/** GET /v1/workspaces/team. */
export const WorkspaceTeamQuery = t.Object({
  human_name: optionalString(64),
  repo: optionalString(255),
  include_claims: t.Optional(t.String()),
  include_presence: t.Optional(t.String()),
  only_with_claims: t.Optional(t.String()),
  always_include_workspace_id: t.Optional(t.String()),
  limit: t.Optional(t.String()),
});

/** GET /v1/workspaces/online. */
export const WorkspaceOnlineQuery = t.Object({ human_name: optionalString(64) });

/** A claim as the workspace lists show it. */
export const WorkspaceClaim = t.Object({
  bead_id: t.String(),
  title: Text,
  claimed_at: Timestamp,
  apex_id: Text,
  apex_title: Text,
  apex_type: Text,
});

/** One workspace with its presence and claims (GET /v1/workspaces, /team, /online). */
export const WorkspaceView = t.Object({
  workspace_id: Uuid,
  alias: t.String(),
  human_name: Text,
  project_id: t.Nullable(Uuid),
  project_slug: Text,
  program: Text,
  model: Text,
  repo: Text,
  branch: Text,
  member_email: Text,
  role: Text,
  hostname: Text,
  workspace_path: Text,
  apex_id: Text,
  apex_title: Text,
  apex_type: Text,
  focus_apex_id: Text,
  focus_apex_title: Text,
  focus_apex_type: Text,
  focus_apex_repo_name: Text,
  focus_apex_branch: Text,
  focus_updated_at: Text,
  status: t.String(),
  last_seen: Text,
  deleted_at: t.Nullable(Timestamp),
  claims: t.Array(WorkspaceClaim),
});

/**
 * A list item's fields that are stored (some under another column name, see
 * data.ts); presence and claims fill in the rest, and presence wins for
 * branch, role and last_seen.
 */
const STORED = [
  "workspace_id", "alias", "human_name", "project_id", "project_slug", "repo", "branch", "role", "hostname",
  "workspace_path", "focus_apex_id", "focus_apex_title", "focus_apex_type", "focus_apex_repo_name",
  "focus_apex_branch", "focus_updated_at", "last_seen", "deleted_at",
] as const;

/** The SQL row of GET /v1/workspaces and /team: the stored fields, and updated_at for the cursor. */
export const WorkspaceListRow = t.Object({ ...t.Pick(WorkspaceView, STORED).properties, updated_at: Timestamp });

export const WorkspacePage = t.Object({
  workspaces: t.Array(WorkspaceView),
  has_more: t.Boolean(),
  next_cursor: Text,
});

export type WorkspaceListParams = typeof WorkspaceListQuery.static;
export type WorkspaceTeamParams = typeof WorkspaceTeamQuery.static;
export type WorkspaceOnlineParams = typeof WorkspaceOnlineQuery.static;
export type ClaimInfo = typeof WorkspaceClaim.static;
/** The item of every workspace list. */
export type WorkspaceInfo = typeof WorkspaceView.static;
export type WorkspaceListRow = typeof WorkspaceListRow.static;
export type WorkspacePageAnswer = typeof WorkspacePage.static;
