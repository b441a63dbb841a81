// /v1/workspaces writes (docs/protocol/workspaces.md); the reads
// are the workspace-lists feature. Two mounts, in the order src/routes.ts
// gives them:
//   bootstrap, during `bdh :init`:
//     POST /v1/workspaces/suggest-name-prefix   auth optional
//     POST /v1/workspaces/register              Bearer agent identity
//   lifecycle:
//     POST   /v1/workspaces/heartbeat              project + actor binding
//     DELETE /v1/workspaces/{workspace_id}         any project member (peer cleanup), no binding
//     POST   /v1/workspaces/{workspace_id}/restore project + actor binding
// There is no GET or PATCH /v1/workspaces/{id}: those answer 405.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { resolveIdentity } from "../auth/identity";
import { describe } from "../http/openapi";
import { parseUuid } from "../http/wire";
import { canonicalOriginOf } from "../repos/canonical-origin";
import {
  HeartbeatBody,
  NamePrefixSuggestion,
  RegisterWorkspaceBody,
  SuggestNamePrefixBody,
  WorkspaceDeleted,
  WorkspaceHeartbeatAnswer,
  WorkspaceIdParams,
  WorkspaceRegistered,
  WorkspaceRestored,
} from "./model";
import { deleteWorkspace, parseHeartbeat, registerWorkspace, restoreOwnWorkspace, suggestNamePrefix, workspaceHeartbeat } from "./service";

export function workspaceBootstrapRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/workspaces" })
    .use(authPlugin(deps))
    .post(
      "/suggest-name-prefix",
      async ({ body, request }) => {
        const co = canonicalOriginOf(body.origin_url, "origin_url");
        // Authentication is optional here: only a caller that sent credentials is resolved.
        const headers = request.headers;
        const authenticated =
          headers.has("authorization") || (headers.has("x-bh-auth") && deps.config.internalAuthSecret !== null);
        const authProject = authenticated ? (await resolveIdentity(deps, headers, request)).projectId : null;
        return suggestNamePrefix(deps, authProject, co);
      },
      {
        body: SuggestNamePrefixBody,
        detail: describe("Suggest the next alias prefix for a repo's project", "workspaces", { 200: NamePrefixSuggestion }, [401, 403, 404, 409]),
      },
    )
    .post("/register", async ({ body, auth }) => registerWorkspace(deps, await auth.identity(), body), {
      body: RegisterWorkspaceBody,
      detail: describe("Register the calling agent's workspace in a repo", "workspaces", { 200: WorkspaceRegistered }, [401, 409]),
    });
}

export function workspaceRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/workspaces" })
    .use(authPlugin(deps))
    .post(
      "/heartbeat",
      async ({ body, auth }) => {
        const input = parseHeartbeat(body);
        return workspaceHeartbeat(deps, await auth.requireWriter(), input);
      },
      {
        body: HeartbeatBody,
        detail: describe("Refresh a workspace (creating it if new) and its presence", "workspaces", { 200: WorkspaceHeartbeatAnswer }, [401, 403, 409]),
      },
    )
    .delete(
      "/:workspace_id",
      async ({ params, auth }) => {
        const id = parseUuid(params.workspace_id, ["path", "workspace_id"], "workspace_id");
        return deleteWorkspace(deps, await auth.requireWriter(), id, params.workspace_id);
      },
      {
        params: WorkspaceIdParams,
        detail: describe("Soft-delete any workspace of the project and release its claims", "workspaces", { 200: WorkspaceDeleted }, [401, 403, 404]),
      },
    )
    .post(
      "/:workspace_id/restore",
      async ({ params, auth }) => {
        const id = parseUuid(params.workspace_id, ["path", "workspace_id"], "workspace_id");
        return restoreOwnWorkspace(deps, await auth.requireWriter(), id, params.workspace_id);
      },
      {
        params: WorkspaceIdParams,
        detail: describe("Restore a soft-deleted workspace (its claims are not restored)", "workspaces", { 200: WorkspaceRestored }, [401, 403, 404, 409]),
      },
    );
}
