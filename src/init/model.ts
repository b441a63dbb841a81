// POST /v1/init: the answer (docs/protocol/projects.md#projects-init), declared once. The API key is
// shown here only; the repo fields are null without repo_origin.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

export const InitAnswer = t.Object({
  status: t.String(),
  created_at: Timestamp,
  api_key: t.String(),
  project_id: Uuid,
  project_slug: t.String(),
  agent_id: Uuid,
  repo_id: t.Nullable(Uuid),
  canonical_origin: t.Nullable(t.String()),
  workspace_id: t.Nullable(Uuid),
  alias: t.String(),
  created: t.Boolean(),
  workspace_created: t.Boolean(),
});
