// /v1/projects: the aweb "current project" plus the legacy routes bdh
// `:projects` calls (aweb.md §5; served by neither reference — docs/decisions.md).
import type { Deps } from "../deps";
import type { Identity } from "../auth/identity";
import { forbidden, notFound } from "../http/errors";
import { findProjectById, listProjectSummaries } from "./data";
import type { CurrentProjectAnswer, ProjectListAnswer } from "./model";

/** GET /v1/projects/current. */
export async function currentProject(deps: Deps, identity: Identity): Promise<CurrentProjectAnswer> {
  const project = await findProjectById(deps.sql, identity.projectId);
  if (!project) throw notFound("Project not found");
  return { project_id: project.project_id, slug: project.slug, name: project.name };
}

/** GET /v1/projects: an OSS key sees exactly one project, its own. */
export async function listOwnProjects(deps: Deps, identity: Identity): Promise<ProjectListAnswer> {
  return { projects: await listProjectSummaries(deps.sql, identity.projectId), has_more: false, next_cursor: null };
}

/** DELETE /v1/projects/{id}: another project reads as missing; the own one is refused. */
export async function deleteProject(deps: Deps, identity: Identity, projectId: string): Promise<never> {
  if (projectId !== identity.projectId || !(await findProjectById(deps.sql, projectId))) throw notFound("Project not found");
  throw forbidden("Deleting a project is not available to agent keys");
}
