// Status: the queries of GET /v1/status and /stream and the snapshot answer (docs/protocol/status.md#status-snapshot), declared once.
import { t } from "elysia";
import { Uuid } from "../http/model";

const Text = t.Nullable(t.String());

/** GET /v1/status. bdh also sends `repo`, which the reference ignores (docs/protocol/status.md#status-snapshot). */
export const StatusQuery = t.Object({ workspace_id: t.Optional(t.String()), repo_id: t.Optional(t.String()) });

/** GET /v1/status/stream. */
export const StatusStreamQuery = t.Object({
  workspace_id: t.Optional(t.String()),
  repo: t.Optional(t.String()),
  human_name: t.Optional(t.String()),
  limit: t.Optional(t.String()),
  event_types: t.Optional(t.String()),
});

/** Which workspace set the snapshot covers: one workspace, one repo, or the project. */
export const StatusScope = t.Object({
  project_id: Uuid,
  project_slug: t.String(),
  workspace_id: t.Optional(Uuid),
  repo_id: t.Optional(Uuid),
  workspace_count: t.Optional(t.Integer()),
});

export const StatusAgent = t.Object({
  workspace_id: Uuid,
  alias: t.String(),
  member: Text,
  program: Text,
  role: Text,
  status: t.String(),
  current_issue: Text,
  last_seen: Text,
});

export const StatusClaim = t.Object({
  bead_id: t.String(),
  workspace_id: Uuid,
  alias: t.String(),
  /** "" for a public reader. */
  human_name: t.String(),
  claimed_at: t.String(),
  claimant_count: t.Integer(),
  title: Text,
  project_id: Uuid,
});

export const StatusConflict = t.Object({
  bead_id: t.String(),
  claimants: t.Array(t.Object({ alias: t.String(), human_name: t.String(), workspace_id: Uuid })),
});

export const StatusSnapshot = t.Object({
  workspace: StatusScope,
  agents: t.Array(StatusAgent),
  claims: t.Array(StatusClaim),
  conflicts: t.Array(StatusConflict),
  escalations_pending: t.Integer(),
  timestamp: t.String(),
});

/** Which workspaces a snapshot covers (GET /v1/status: workspace_id > repo_id > the project). */
export type StatusFilter =
  | { kind: "workspace"; workspaceId: string }
  | { kind: "repo"; repoId: string }
  | { kind: "project" };
