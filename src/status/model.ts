// Status: the answer of GET /v1/status (docs/protocol/status.md#status-snapshot), declared once.
import { t } from "elysia";
import { Uuid } from "../http/model";

const Text = t.Nullable(t.String());

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
