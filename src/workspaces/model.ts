// Workspaces: the answers of /v1/workspaces (beadhub.md §4), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

const Text = t.Nullable(t.String());

/** POST /v1/workspaces/suggest-name-prefix. */
export const NamePrefixSuggestion = t.Object({
  name_prefix: t.String(),
  project_id: Uuid,
  project_slug: t.String(),
  /** Empty when the repo is not registered yet (the caller's project is suggested). */
  repo_id: t.Union([Uuid, t.Literal("")]),
  canonical_origin: t.String(),
});

/** POST /v1/workspaces/register. */
export const WorkspaceRegistered = t.Object({
  workspace_id: Uuid,
  project_id: Uuid,
  project_slug: t.String(),
  repo_id: Uuid,
  canonical_origin: t.String(),
  alias: t.String(),
  human_name: t.String(),
  created: t.Boolean(),
});

export const WorkspaceHeartbeatAnswer = t.Object({ ok: t.Boolean(), workspace_id: Uuid });
export const WorkspaceDeleted = t.Object({ workspace_id: Uuid, alias: t.String(), deleted_at: Timestamp });
export const WorkspaceRestored = t.Object({ workspace_id: Uuid, alias: t.String(), restored_at: Timestamp });

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

export const WorkspacePage = t.Object({
  workspaces: t.Array(WorkspaceView),
  has_more: t.Boolean(),
  next_cursor: Text,
});
