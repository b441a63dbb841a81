// /v1/repos (contract beadhub.md §5). The reference serves these without any
// authentication, letting anyone list every project's repos or delete them
// (§19.15, §20 Q6). bdh never calls them, so we require project auth and scope
// every route to the caller's project (docs/decisions.md); the response shapes
// are unchanged.
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { RepoDeleted, RepoEnsured, RepoFound, RepoPage } from "./model";
import { authPlugin } from "../auth/plugin";
import { isoZ } from "../db/pool";
import { cursorIsoTimestamp, cursorUuid, decodeCursor, page } from "../http/wire";
import { invalid, notFound, unprocessable } from "../http/errors";
import { normalizeUuid, parseUuid, queryInt, queryUuid } from "../http/wire";
import { canonicalOriginOf } from "../init/routes";
import { findServerProject } from "../projects/data";
import { clearPresence } from "../presence/presence";
import { ensureRepo, findRepoInProject, listRepos, softDeleteRepo } from "./data";

function reposCursor(raw: string | undefined) {
  const cursor = decodeCursor(raw);
  if (cursor === null) return null;
  const createdAt = cursorIsoTimestamp(cursor, "created_at");
  const id = cursorUuid(cursor, "id");
  if (id === null) throw unprocessable("Invalid cursor: id must be a UUID");
  return { createdAt, id };
}

export function repoRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/repos" })
    .use(authPlugin(deps))
    .post(
      "/lookup",
      async ({ body, auth }) => {
        const co = canonicalOriginOf(body.origin_url, "origin_url");
        const identity = await auth.identity();
        // Scoped to one project, so the reference's 409 "exists in multiple
        // projects" cannot arise.
        const repo = await findRepoInProject(deps.sql, identity.projectId, co);
        if (!repo) throw notFound(`Repo not found: ${co}`);
        return {
          repo_id: repo.repo_id,
          project_id: repo.project_id,
          project_slug: repo.project_slug,
          canonical_origin: repo.canonical_origin,
          name: repo.name,
        };
      },
      {
        body: t.Object({ origin_url: t.String({ minLength: 1, maxLength: 2048 }) }),
        detail: describe("Find the caller's project repo for a git origin", "repos", { 200: RepoFound }, [401, 403, 404]),
      },
    )
    .post(
      "/ensure",
      async ({ body, auth }) => {
        const projectId = normalizeUuid(body.project_id);
        if (!projectId) throw invalid(["body", "project_id"], "Invalid project_id: must be a valid UUID", body.project_id);
        const co = canonicalOriginOf(body.origin_url, "origin_url");
        const identity = await auth.requireWriter();
        if (projectId !== identity.projectId || !(await findServerProject(deps.sql, projectId))) {
          throw notFound("Project not found");
        }
        const repo = await ensureRepo(deps.sql, projectId, body.origin_url.trim(), co);
        return { repo_id: repo.id, canonical_origin: repo.canonical_origin, name: repo.name, created: repo.created };
      },
      {
        body: t.Object({
          project_id: t.String({ minLength: 36, maxLength: 36 }),
          origin_url: t.String({ minLength: 1, maxLength: 2048 }),
        }),
        detail: describe("Get or create a repo of the caller's project (revives a deleted one)", "repos", { 200: RepoEnsured }, [401, 403, 404]),
      },
    )
    .get(
      "",
      async ({ query, auth }) => {
        const filterProject = queryUuid(query.project_id, "project_id");
        const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 200 });
        const after = reposCursor(query.cursor);
        const identity = await auth.identity();
        // Another project's id is not an error, just nothing the caller can see.
        const rows =
          filterProject === null || filterProject === identity.projectId
            ? await listRepos(deps.sql, identity.projectId, after, limit)
            : [];
        const result = page(rows, limit, (last) => ({ created_at: last.created_at, id: last.id }));
        return {
          repos: result.items.map((r) => ({ ...r, created_at: isoZ(r.created_at) })),
          has_more: result.has_more,
          next_cursor: result.next_cursor,
        };
      },
      {
        query: t.Object({
          project_id: t.Optional(t.String()),
          limit: t.Optional(t.String()),
          cursor: t.Optional(t.String()),
        }),
        detail: describe("List the caller's project repos with live workspace counts", "repos", { 200: RepoPage }, [401, 403]),
      },
    )
    .delete(
      "/:repo_id",
      async ({ params, auth }) => {
        const repoId = parseUuid(params.repo_id, ["path", "repo_id"], "repo_id");
        const identity = await auth.requireWriter();
        const deleted = await deps.sql.begin((tx) => softDeleteRepo(tx, identity.projectId, repoId));
        if (!deleted) throw notFound("Repo not found");
        const cleared = await Promise.all(deleted.workspaceIds.map((id) => clearPresence(deps, id)));
        return {
          id: repoId,
          workspaces_deleted: deleted.workspaceIds.length,
          claims_deleted: deleted.claimsDeleted,
          presence_cleared: cleared.filter(Boolean).length,
        };
      },
      {
        params: t.Object({ repo_id: t.String() }),
        detail: describe("Soft-delete a repo with its workspaces, their claims and presence", "repos", { 200: RepoDeleted }, [401, 403, 404]),
      },
    );
}
