// /v1/projects: the aweb "current project" plus the legacy routes bdh
// `:projects` calls (docs/protocol/projects.md#projects-current; served by neither reference — docs/decisions.md).
import type { Deps } from "../deps";
import type { Db } from "../db/pool";
import type { Identity } from "../auth/identity";
import { forbidden, notFound } from "../http/errors";
import {
  ensureServerProject,
  findProjectById,
  findProjectBySlug,
  findServerProject,
  listProjectSummaries,
  type AwebProject,
  type ServerProject,
} from "./data";
import type { CurrentProjectAnswer, ProjectListAnswer } from "./model";

/** GET /v1/projects/current. */
export async function currentProject(deps: Deps, identity: Identity): Promise<CurrentProjectAnswer> {
  const project = await findProjectById(deps.sql, identity.projectId);
  if (!project) throw notFound("Project not found");
  return project;
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

// For other features. The functions taking `tx` run inside the caller's
// transaction (the workspace row they precede must commit with them).

/** The live aweb project with this slug, or null. */
export async function projectBySlug(deps: Deps, slug: string): Promise<AwebProject | null> {
  return findProjectBySlug(deps.sql, slug);
}

/** The live beadhub mirror (server.projects) of a project, or null. */
export async function mirrorOf(deps: Deps, projectId: string): Promise<ServerProject | null> {
  return findServerProject(deps.sql, projectId);
}

/** Create or revive the beadhub mirror of a known aweb project. */
export async function ensureMirror(tx: Db, project: AwebProject): Promise<void> {
  await ensureServerProject(tx, project);
}

/**
 * The mirror row must exist before a workspace can reference it; an agent
 * created by a repo-less /v1/init has none yet. Returns the project's slug.
 */
export async function ensureMirrorOf(tx: Db, projectId: string): Promise<string> {
  const mirror = await findServerProject(tx, projectId);
  if (mirror) return mirror.slug;
  const project = await findProjectById(tx, projectId);
  if (!project) throw notFound("Project not found");
  await ensureServerProject(tx, project);
  return project.slug;
}

// The statements other features run inside their own transaction (init's
// one-transaction join, notification mail): tx first, like writeAudit. Other
// features reach this feature's tables through here, never its data.ts.
export { ensureAwebProject, ensureServerProject, findProjectBySlug } from "./data";
