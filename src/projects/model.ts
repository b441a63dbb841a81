// Projects: the shapes of /v1/projects (docs/protocol/projects.md#projects-current), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

export const ProjectParams = t.Object({ project_id: t.String() });

/** GET /v1/projects/current. */
export const CurrentProject = t.Object({ project_id: Uuid, slug: t.String(), name: t.String() });

/** An item of GET /v1/projects (bdh `:projects`). */
export const ProjectSummary = t.Object({
  id: Uuid,
  slug: t.String(),
  name: t.String(),
  created_at: Timestamp,
  repo_count: t.Integer(),
  workspace_count: t.Integer(),
});
export type ProjectSummary = typeof ProjectSummary.static;

/** An OSS key sees one project, so the list never has a next page. */
export const ProjectList = t.Object({
  projects: t.Array(ProjectSummary),
  has_more: t.Boolean(),
  next_cursor: t.Null(),
});

export type CurrentProjectAnswer = typeof CurrentProject.static;
export type ProjectListAnswer = typeof ProjectList.static;
