// Repos: the answers of /v1/repos (beadhub.md §5), declared once.
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
