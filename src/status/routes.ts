// GET /v1/status (bdh `:status`, contract beadhub.md §16.3) and
// GET /v1/status/stream (the dashboard's SSE feed, §16.4).
// Query length and range rules fail first as FastAPI-shaped 422 lists (the
// reference checks them before authenticating); the handler's own checks
// answer plain-string details, in the reference's order.
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { describe, describeStream } from "../http/openapi";
import { StatusSnapshot } from "./model";
import { authPlugin } from "../auth/plugin";
import { notFound, unprocessable } from "../http/errors";
import { isCanonicalOrigin } from "../http/field-rules";
import { checkLength, normalizeUuid, plainWorkspaceId, pyRepr, queryInt } from "../http/wire";
import {
  humanWorkspaceIds,
  isLiveWorkspaceIn,
  originWorkspaceIds,
  projectWorkspaceIds,
  type StatusFilter,
} from "./data";
import { statusSnapshot } from "./snapshot";
import { EVENT_CATEGORIES, statusStreamResponse } from "./stream";

const STREAM_DEFAULT_LIMIT = 200;
const STREAM_MAX_LIMIT = 1000;

/** `event_types`: comma-separated categories, trimmed and lowercased; null = all. */
function parseCategories(raw: string | undefined): Set<string> | null {
  if (!raw) return null;
  const wanted = new Set(raw.split(",").map((s) => s.trim().toLowerCase()));
  const bad = [...wanted].filter((c) => !(EVENT_CATEGORIES as readonly string[]).includes(c));
  if (bad.length > 0) {
    throw unprocessable(
      `Invalid event types: {${bad.map(pyRepr).join(", ")}}. ` +
        `Valid types: {${EVENT_CATEGORIES.map(pyRepr).join(", ")}}`,
    );
  }
  return wanted;
}

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
        // bdh also sends `repo`, which the reference ignores (§16.3).
        query: t.Object({ workspace_id: t.Optional(t.String()), repo_id: t.Optional(t.String()) }),
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
        const { projectId } = identity;

        // Precedence workspace_id > repo > human_name > all; the set is fixed now (§19.19).
        let workspaceIds: string[];
        if (query.workspace_id) {
          const workspaceId = plainWorkspaceId(query.workspace_id);
          if (!(await isLiveWorkspaceIn(deps.sql, projectId, workspaceId))) throw notFound("Workspace not found");
          workspaceIds = [workspaceId];
        } else if (query.repo) {
          if (!isCanonicalOrigin(query.repo)) throw unprocessable(`Invalid repo format: ${query.repo.slice(0, 50)}`);
          workspaceIds = await originWorkspaceIds(deps.sql, projectId, query.repo, limit);
        } else if (query.human_name) {
          workspaceIds = await humanWorkspaceIds(deps.sql, projectId, query.human_name, limit);
        } else {
          workspaceIds = await projectWorkspaceIds(deps.sql, projectId, limit);
        }
        // A filter that matches nothing is a mistake; a project without
        // workspaces yet gets a keepalive-only stream.
        if (workspaceIds.length === 0 && (query.repo || query.human_name)) {
          throw notFound("No workspaces found for the provided filter");
        }
        let categories = parseCategories(query.event_types);
        // Public readers get bead events only: the others carry private data (§1).
        if (identity.publicReader) categories = new Set(["bead"]);

        return statusStreamResponse(deps, {
          workspaceIds,
          categories,
          requestSignal: request.signal,
          shutdownSignal,
        });
      },
      {
        query: t.Object({
          workspace_id: t.Optional(t.String()),
          repo: t.Optional(t.String()),
          human_name: t.Optional(t.String()),
          limit: t.Optional(t.String()),
          event_types: t.Optional(t.String()),
        }),
        detail: describeStream("Server-Sent Events of a workspace set (reservation, message, escalation, bead)", "status", [401, 403, 404]),
      },
    );
}
