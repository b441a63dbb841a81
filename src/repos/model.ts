// Repos: the answers of /v1/repos (docs/protocol/projects.md#repos), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

export const RepoFound = t.Object({
  repo_id: Uuid,
  project_id: Uuid,
  project_slug: t.String(),
  canonical_origin: t.String(),
  name: t.String(),
});

export const RepoEnsured = t.Object({ repo_id: Uuid, canonical_origin: t.String(), name: t.String(), created: t.Boolean() });

export const RepoSummary = t.Object({
  id: Uuid,
  project_id: Uuid,
  canonical_origin: t.String(),
  name: t.String(),
  created_at: Timestamp,
  workspace_count: t.Integer(),
});

export const RepoPage = t.Object({ repos: t.Array(RepoSummary), has_more: t.Boolean(), next_cursor: t.Nullable(t.String()) });

export const RepoDeleted = t.Object({
  id: Uuid,
  workspaces_deleted: t.Integer(),
  claims_deleted: t.Integer(),
  presence_cleared: t.Integer(),
});

export const RepoOriginBody = t.Object({ origin_url: t.String({ minLength: 1, maxLength: 2048 }) });

export const EnsureRepoBody = t.Object({
  project_id: t.String({ minLength: 36, maxLength: 36 }),
  origin_url: t.String({ minLength: 1, maxLength: 2048 }),
});

export const RepoListQuery = t.Object({
  project_id: t.Optional(t.String()),
  limit: t.Optional(t.String()),
  cursor: t.Optional(t.String()),
});

export const RepoIdParams = t.Object({ repo_id: t.String() });

/** A live repo with its project's slug: the lookup's answer, and what other features read by origin. */
export type RepoFoundAnswer = typeof RepoFound.static;
export type RepoEnsuredAnswer = typeof RepoEnsured.static;
export type RepoPageAnswer = typeof RepoPage.static;
export type RepoDeletedAnswer = typeof RepoDeleted.static;
