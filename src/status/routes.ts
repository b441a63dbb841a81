// GET /v1/status (bdh `:status`, docs/protocol/status.md#status-snapshot) and
// GET /v1/status/stream (the dashboard's SSE feed, docs/protocol/status.md#status-stream).
// Query length and range rules fail first as FastAPI-shaped 422 lists (the
// reference checks them before authenticating); the handler's own checks
// answer plain-string details, in the reference's order.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { describe, describeStream } from "../http/openapi";
import { StatusQuery, StatusSnapshot, StatusStreamQuery, type StatusFilter } from "./model";
import { authPlugin } from "../auth/plugin";
import { unprocessable } from "../http/errors";
import { checkLength, normalizeUuid, plainWorkspaceId, queryInt } from "../http/wire";
import { openStatusStream, statusSnapshot } from "./service";

const STREAM_DEFAULT_LIMIT = 200;
const STREAM_MAX_LIMIT = 1000;

export function statusRoutes(ctx: RouteContext) {
  const { deps, shutdownSignal } = ctx;
  return new Elysia({ prefix: "/v1/status" })
    .use(authPlugin(deps))
    .get(
      "",
      async ({ auth, query }) => {
        checkLength(query.workspace_id, ["query", "workspace_id"], { min: 1 });
        checkLength(query.repo_id, ["query", "repo_id"], { min: 36, max: 36 });
        const identity = await auth.identity();

        let filter: StatusFilter = { kind: "project" };
        if (query.workspace_id) {
          filter = { kind: "workspace", workspaceId: plainWorkspaceId(query.workspace_id) };
        } else if (query.repo_id) {
          const repoId = normalizeUuid(query.repo_id);
          if (repoId === null) throw unprocessable("Invalid repo_id format: expected UUID");
          filter = { kind: "repo", repoId };
        }
        return statusSnapshot(deps, identity, filter);
      },
      {
        query: StatusQuery,
        detail: describe("Presence, claims, conflicts and pending escalations of a workspace set", "status", { 200: StatusSnapshot }, [401, 403, 404]),
      },
    )
    .get(
      "/stream",
      async ({ auth, query, request }) => {
        checkLength(query.workspace_id, ["query", "workspace_id"], { min: 1 });
        checkLength(query.repo, ["query", "repo"], { max: 255 });
        checkLength(query.human_name, ["query", "human_name"], { max: 64 });
        const limit = queryInt(query.limit, "limit", STREAM_DEFAULT_LIMIT, { min: 1, max: STREAM_MAX_LIMIT });
        const identity = await auth.identity();
        return openStatusStream(deps, identity, {
          workspaceId: query.workspace_id ? plainWorkspaceId(query.workspace_id) : undefined,
          repo: query.repo,
          humanName: query.human_name,
          limit,
          eventTypes: query.event_types,
          requestSignal: request.signal,
          shutdownSignal,
        });
      },
      {
        query: StatusStreamQuery,
        detail: describeStream("Server-Sent Events of a workspace set (reservation, message, escalation, bead)", "status", [401, 403, 404]),
      },
    );
}
