// /v1/repos (docs/protocol/projects.md#repos): project-scoped, unlike the reference
// (see service.ts). Field rules answer 422 before authentication.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { describe } from "../http/openapi";
import { parseUuid, queryInt, queryUuid } from "../http/wire";
import { canonicalOriginOf } from "./canonical-origin";
import { EnsureRepoBody, RepoDeleted, RepoEnsured, RepoFound, RepoIdParams, RepoListQuery, RepoOriginBody, RepoPage } from "./model";
import { deleteRepo, ensureProjectRepo, listProjectRepos, lookupRepo, parseEnsureProjectId, parseRepoCursor } from "./service";

export function repoRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/repos" })
    .use(authPlugin(deps))
    .post(
      "/lookup",
      async ({ body, auth }) => {
        const co = canonicalOriginOf(body.origin_url, "origin_url");
        return lookupRepo(deps, await auth.identity(), co);
      },
      {
        body: RepoOriginBody,
        detail: describe("Find the caller's project repo for a git origin", "repos", { 200: RepoFound }, [401, 403, 404]),
      },
    )
    .post(
      "/ensure",
      async ({ body, auth }) => {
        const projectId = parseEnsureProjectId(body.project_id);
        const co = canonicalOriginOf(body.origin_url, "origin_url");
        return ensureProjectRepo(deps, await auth.requireWriter(), projectId, body.origin_url, co);
      },
      {
        body: EnsureRepoBody,
        detail: describe("Get or create a repo of the caller's project (revives a deleted one)", "repos", { 200: RepoEnsured }, [401, 403, 404]),
      },
    )
    .get(
      "",
      async ({ query, auth }) => {
        const filterProject = queryUuid(query.project_id, "project_id");
        const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 200 });
        const after = parseRepoCursor(query.cursor);
        return listProjectRepos(deps, await auth.identity(), filterProject, after, limit);
      },
      {
        query: RepoListQuery,
        detail: describe("List the caller's project repos with live workspace counts", "repos", { 200: RepoPage }, [401, 403]),
      },
    )
    .delete(
      "/:repo_id",
      async ({ params, auth }) => {
        const repoId = parseUuid(params.repo_id, ["path", "repo_id"], "repo_id");
        return deleteRepo(deps, await auth.requireWriter(), repoId);
      },
      {
        params: RepoIdParams,
        detail: describe("Soft-delete a repo with its workspaces, their claims and presence", "repos", { 200: RepoDeleted }, [401, 403, 404]),
      },
    );
}
