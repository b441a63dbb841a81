// /v1/repos (docs/protocol/projects.md#repos). The reference serves these
// without any authentication, letting anyone list every project's repos or
// delete them. bdh never calls them, so we require project auth and scope every
// route to the caller's project (docs/decisions.md); the response shapes are
// unchanged.
import type { Deps } from "../deps";
import type { Db } from "../db/pool";
import type { Identity } from "../auth/identity";
import { isoZ } from "../db/pool";
import { invalid, notFound, unprocessable } from "../http/errors";
import { cursorIsoTimestamp, cursorUuid, decodeCursor, normalizeUuid, page } from "../http/wire";
import { clearPresence } from "../presence/presence";
import { mirrorOf } from "../projects/service";
import { softDeleteWorkspacesOfRepo } from "../workspaces/service";
import { announceUnclaimed, dropClaimsWithin } from "../claims/service";
import { ensureRepo, findLiveRepoOrigin, findRepoInProject, findReposByOrigin, listRepos, softDeleteRepo, type RepoRow } from "./data";
import type { RepoDeletedAnswer, RepoEnsuredAnswer, RepoFoundAnswer, RepoPageAnswer } from "./model";

export interface RepoCursor {
  createdAt: string;
  id: string;
}

/** GET /v1/repos's cursor: (created_at, id), both required. */
export function parseRepoCursor(raw: string | undefined): RepoCursor | null {
  const cursor = decodeCursor(raw);
  if (cursor === null) return null;
  const createdAt = cursorIsoTimestamp(cursor, "created_at");
  const id = cursorUuid(cursor, "id");
  if (id === null) throw unprocessable("Invalid cursor: id must be a UUID");
  return { createdAt, id };
}

/** POST /v1/repos/ensure's project_id: a UUID, else a 422 naming the field. */
export function parseEnsureProjectId(raw: string): string {
  const projectId = normalizeUuid(raw);
  if (!projectId) throw invalid(["body", "project_id"], "Invalid project_id: must be a valid UUID", raw);
  return projectId;
}

/**
 * POST /v1/repos/lookup. Scoped to one project, so the reference's 409
 * "exists in multiple projects" cannot arise.
 */
export async function lookupRepo(deps: Deps, identity: Identity, canonicalOrigin: string): Promise<RepoFoundAnswer> {
  const repo = await findRepoInProject(deps.sql, identity.projectId, canonicalOrigin);
  if (!repo) throw notFound(`Repo not found: ${canonicalOrigin}`);
  return repo;
}

/** POST /v1/repos/ensure: get or create (reviving a deleted one) in the caller's project. */
export async function ensureProjectRepo(
  deps: Deps,
  identity: Identity,
  projectId: string,
  originUrl: string,
  canonicalOrigin: string,
): Promise<RepoEnsuredAnswer> {
  if (projectId !== identity.projectId || !(await mirrorOf(deps, projectId))) {
    throw notFound("Project not found");
  }
  const repo = await ensureRepo(deps.sql, projectId, originUrl.trim(), canonicalOrigin);
  return { repo_id: repo.id, canonical_origin: repo.canonical_origin, name: repo.name, created: repo.created };
}

/** GET /v1/repos. Another project's id is not an error, just nothing the caller can see. */
export async function listProjectRepos(
  deps: Deps,
  identity: Identity,
  filterProject: string | null,
  after: RepoCursor | null,
  limit: number,
): Promise<RepoPageAnswer> {
  const rows =
    filterProject === null || filterProject === identity.projectId ? await listRepos(deps.sql, identity.projectId, after, limit) : [];
  const result = page(rows, limit, (last) => ({ created_at: last.created_at, id: last.id }));
  return {
    // created_at is NOT NULL, so isoZ never answers null here.
    repos: result.items.map((r) => ({ ...r, created_at: isoZ(r.created_at) ?? r.created_at })),
    has_more: result.has_more,
    next_cursor: result.next_cursor,
  };
}

/**
 * DELETE /v1/repos/{id}: the repo with its workspaces and their claims in one
 * transaction (docs/protocol/projects.md#repos), then bead.unclaimed for each
 * claim, then the workspaces' presence.
 */
export async function deleteRepo(deps: Deps, identity: Identity, repoId: string): Promise<RepoDeletedAnswer> {
  const deleted = await deps.sql.begin(async (tx) => {
    if (!(await softDeleteRepo(tx, identity.projectId, repoId))) return null;
    const workspaceIds = await softDeleteWorkspacesOfRepo(tx, repoId);
    return { workspaceIds, claims: await dropClaimsWithin(tx, workspaceIds) };
  });
  if (!deleted) throw notFound("Repo not found");
  await announceUnclaimed(deps, identity.projectId, deleted.claims, { event: { reason: "repo_deleted" } });
  const cleared = await Promise.all(deleted.workspaceIds.map((id) => clearPresence(deps, id)));
  return {
    id: repoId,
    workspaces_deleted: deleted.workspaceIds.length,
    claims_deleted: deleted.claims.length,
    presence_cleared: cleared.filter(Boolean).length,
  };
}

// For other features. `ensureRepoWithin` runs inside the caller's transaction.

/** Live repos with this canonical origin in every live project, by project slug. */
export async function reposWithOrigin(deps: Deps, canonicalOrigin: string): Promise<RepoFoundAnswer[]> {
  return findReposByOrigin(deps.sql, canonicalOrigin);
}

/** The canonical origin of a live repo of the project, or null when it is gone. */
export async function liveRepoOrigin(deps: Deps, projectId: string, repoId: string): Promise<string | null> {
  return findLiveRepoOrigin(deps.sql, projectId, repoId);
}

/** Get or create (reviving a deleted one) the project's repo for this origin. */
export async function ensureRepoWithin(tx: Db, projectId: string, originUrl: string, canonicalOrigin: string): Promise<RepoRow & { created: boolean }> {
  return ensureRepo(tx, projectId, originUrl, canonicalOrigin);
}

// The statements other features run inside their own transaction (init's
// one-transaction join, notification mail): tx first, like writeAudit. Other
// features reach this feature's tables through here, never its data.ts.
export { ensureRepo, findRepoOriginById, findReposByOrigin } from "./data";
