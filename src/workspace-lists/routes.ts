// Workspace reads (docs/protocol/workspaces.md), all project-scoped and open
// to public readers, who get PII redacted (docs/protocol/auth.md#public-readers):
//   GET /v1/workspaces         paginated registry (bdh :status, alias resolution, cleanup)
//   GET /v1/workspaces/team    bounded team view (bdh ready)
//   GET /v1/workspaces/online  live presences of the project
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { describe } from "../http/openapi";
import { WorkspaceListQuery, WorkspaceOnlineQuery, WorkspacePage, WorkspaceTeamQuery } from "./model";
import { listOnline, listTeam, listWorkspaces } from "./service";

export function workspaceListRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/workspaces" })
    .use(authPlugin(deps))
    .get("", async ({ query, auth }) => listWorkspaces(deps, await auth.identity(), query), {
      query: WorkspaceListQuery,
      detail: describe("List the project's workspaces (newest update first), with presence and claims", "workspaces", { 200: WorkspacePage }, [401, 403]),
    })
    .get("/team", async ({ query, auth }) => listTeam(deps, await auth.identity(), query), {
      query: WorkspaceTeamQuery,
      detail: describe("Bounded team view: workspaces with claims and recent activity first", "workspaces", { 200: WorkspacePage }, [401, 403]),
    })
    .get("/online", async ({ query, auth }) => listOnline(deps, await auth.identity(), query), {
      query: WorkspaceOnlineQuery,
      detail: describe("Workspaces of the project with live presence (most recently seen first)", "workspaces", { 200: WorkspacePage }, [401, 403]),
    });
}
