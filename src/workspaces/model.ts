// Workspaces: the answers of /v1/workspaces (docs/protocol/workspaces.md), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

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

export const SuggestNamePrefixBody = t.Object({ origin_url: t.String({ minLength: 1, maxLength: 2048 }) });

export const RegisterWorkspaceBody = t.Object({
  repo_origin: t.String({ minLength: 1, maxLength: 2048 }),
  role: t.Optional(t.Nullable(t.String({ maxLength: 50 }))),
  hostname: t.Optional(t.Nullable(t.String({ maxLength: 255 }))),
  workspace_path: t.Optional(t.Nullable(t.String({ maxLength: 4096 }))),
});

export const HeartbeatBody = t.Object({
  workspace_id: t.String({ minLength: 1 }),
  alias: t.String({ minLength: 1, maxLength: 64 }),
  repo_origin: t.String({ minLength: 1, maxLength: 512 }),
  role: t.Optional(t.Nullable(t.String({ maxLength: 50 }))),
  current_branch: t.Optional(t.Nullable(t.String({ maxLength: 255 }))),
  hostname: t.Optional(t.Nullable(t.String({ maxLength: 255 }))),
  workspace_path: t.Optional(t.Nullable(t.String({ maxLength: 1024 }))),
  human_name: t.Optional(t.Nullable(t.String({ maxLength: 64 }))),
});

export const WorkspaceIdParams = t.Object({ workspace_id: t.String() });

export type NamePrefixAnswer = typeof NamePrefixSuggestion.static;
export type RegisterWorkspaceInput = typeof RegisterWorkspaceBody.static;
export type WorkspaceRegisteredAnswer = typeof WorkspaceRegistered.static;
export type HeartbeatInput = typeof HeartbeatBody.static;
export type HeartbeatAnswer = typeof WorkspaceHeartbeatAnswer.static;
export type WorkspaceDeletedAnswer = typeof WorkspaceDeleted.static;
export type WorkspaceRestoredAnswer = typeof WorkspaceRestored.static;
