// Workspace reads (contract beadhub.md §4.4–4.6), all project-scoped and open
// to public readers, who get PII redacted (aweb.md §2.5):
//   GET /v1/workspaces         paginated registry (bdh :status, alias resolution, cleanup)
//   GET /v1/workspaces/team    bounded team view (bdh ready)
//   GET /v1/workspaces/online  live presences of the project
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { WorkspacePage } from "./model";
import { authPlugin } from "../auth/plugin";
import { cursorIsoTimestamp, cursorUuid, decodeCursor, page } from "../http/wire";
import { unprocessable } from "../http/errors";
import { ALIAS_RE, hasControlChars, isCanonicalOrigin } from "../http/field-rules";
import { queryBool, queryInt, queryUuid } from "../http/wire";
import { projectPresence } from "../presence/presence";
import { loadExtras, onlineInfo, toWorkspaceInfo } from "./info";
import { listWorkspaceRows } from "./queries";
import { teamWorkspaces } from "./team";

const optionalString = (maxLength: number) => t.Optional(t.String({ maxLength }));

/** An empty filter means "no filter", as in the reference (`if human_name:`). */
const filter = (raw: string | undefined): string | null => (raw === undefined || raw === "" ? null : raw);

function repoFilter(raw: string | undefined): string | null {
  const repo = filter(raw);
  if (repo !== null && !isCanonicalOrigin(repo)) throw unprocessable(`Invalid repo format: ${repo.slice(0, 50)}`);
  return repo;
}

function listCursor(raw: string | undefined) {
  const cursor = decodeCursor(raw);
  if (cursor === null) return null;
  // workspace_id is our tie-breaker (rows updated in one statement share
  // updated_at); a reference-style cursor without it still works.
  return { updatedAt: cursorIsoTimestamp(cursor, "updated_at"), workspaceId: cursorUuid(cursor, "workspace_id") };
}

export function workspaceListRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/workspaces" })
    .use(authPlugin(deps))
    .get(
      "",
      async ({ query, auth }) => {
        const identity = await auth.identity();
        const alias = filter(query.alias);
        if (alias !== null && !ALIAS_RE.test(alias)) {
          throw unprocessable("Invalid alias: must be alphanumeric with hyphens/underscores, 1-64 chars");
        }
        const hostname = filter(query.hostname);
        if (hostname !== null && hasControlChars(hostname)) {
          throw unprocessable("Invalid hostname: contains null bytes or control characters");
        }
        const opts = {
          includePresence: queryBool(query.include_presence, "include_presence", true),
          includeClaims: queryBool(query.include_claims, "include_claims", false),
          publicReader: identity.publicReader,
        };
        const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 200 });
        const rows = await listWorkspaceRows(deps.sql, {
          projectId: identity.projectId,
          humanName: filter(query.human_name),
          repo: repoFilter(query.repo),
          alias,
          hostname,
          includeDeleted: queryBool(query.include_deleted, "include_deleted", false),
          after: listCursor(query.cursor),
          limit,
        });
        const result = page(rows, limit, (last) => ({ updated_at: last.updated_at, workspace_id: last.workspace_id }));
        const { presence, claims } = await loadExtras(deps, identity.projectId, result.items, opts);
        return {
          workspaces: result.items.map((row) =>
            toWorkspaceInfo(row, presence.get(row.workspace_id), claims.get(row.workspace_id) ?? [], opts),
          ),
          has_more: result.has_more,
          next_cursor: result.next_cursor,
        };
      },
      {
        query: t.Object({
          human_name: optionalString(64),
          repo: optionalString(255),
          alias: optionalString(64),
          hostname: optionalString(255),
          include_deleted: t.Optional(t.String()),
          include_claims: t.Optional(t.String()),
          include_presence: t.Optional(t.String()),
          limit: t.Optional(t.String()),
          cursor: t.Optional(t.String()),
        }),
        detail: describe("List the project's workspaces (newest update first), with presence and claims", "workspaces", { 200: WorkspacePage }, [401, 403]),
      },
    )
    .get(
      "/team",
      async ({ query, auth }) => {
        const identity = await auth.identity();
        const workspaces = await teamWorkspaces(deps, {
          projectId: identity.projectId,
          humanName: filter(query.human_name),
          repo: repoFilter(query.repo),
          includeClaims: queryBool(query.include_claims, "include_claims", true),
          includePresence: queryBool(query.include_presence, "include_presence", true),
          onlyWithClaims: queryBool(query.only_with_claims, "only_with_claims", true),
          alwaysIncludeWorkspaceId: queryUuid(filter(query.always_include_workspace_id) ?? undefined, "always_include_workspace_id"),
          limit: queryInt(query.limit, "limit", 15, { min: 1, max: 200 }),
          publicReader: identity.publicReader,
        });
        return { workspaces, has_more: false, next_cursor: null };
      },
      {
        query: t.Object({
          human_name: optionalString(64),
          repo: optionalString(255),
          include_claims: t.Optional(t.String()),
          include_presence: t.Optional(t.String()),
          only_with_claims: t.Optional(t.String()),
          always_include_workspace_id: t.Optional(t.String()),
          limit: t.Optional(t.String()),
        }),
        detail: describe("Bounded team view: workspaces with claims and recent activity first", "workspaces", { 200: WorkspacePage }, [401, 403]),
      },
    )
    .get(
      "/online",
      async ({ query, auth }) => {
        const identity = await auth.identity();
        const publicReader = identity.publicReader;
        const humanName = filter(query.human_name);
        // The reference scans the global index and keeps this project's records;
        // the project index holds the same members, so read only that.
        const live = await projectPresence(deps, identity.projectId);
        const workspaces = [...live.values()]
          .filter((p) => p.workspace_id && p.alias && p.project_id === identity.projectId)
          .filter((p) => humanName === null || p.human_name === humanName)
          .map((p) => onlineInfo(p, publicReader))
          .sort((a, b) => ((a.last_seen ?? "") < (b.last_seen ?? "") ? 1 : (a.last_seen ?? "") > (b.last_seen ?? "") ? -1 : 0));
        return { workspaces, has_more: false, next_cursor: null };
      },
      {
        query: t.Object({ human_name: optionalString(64) }),
        detail: describe("Workspaces of the project with live presence (most recently seen first)", "workspaces", { 200: WorkspacePage }, [401, 403]),
      },
    );
}
