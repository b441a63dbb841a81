// GET /v1/claims (contract beadhub.md §14): the project's active bead claims,
// newest first. Public readers see human_name "" (aweb.md §2.5).
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { cursorIsoTimestamp, cursorUuid, decodeCursor, page } from "../http/wire";
import { queryInt, queryUuid } from "../http/wire";
import { listClaims } from "./queries";

function claimsCursor(raw: string | undefined) {
  const cursor = decodeCursor(raw);
  if (cursor === null) return null;
  // id breaks ties: claims made in one sync share claimed_at. A cursor
  // without it (reference style) pages by claimed_at alone.
  return { claimedAt: cursorIsoTimestamp(cursor, "claimed_at"), id: cursorUuid(cursor, "id") };
}

export function claimRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/claims" }).use(authPlugin(deps)).get(
    "",
    async ({ query, auth }) => {
      // An empty workspace_id means no filter, as in the reference.
      const workspaceId = query.workspace_id === "" ? null : queryUuid(query.workspace_id, "workspace_id");
      const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 200 });
      const after = claimsCursor(query.cursor);
      const identity = await auth.identity();
      const publicReader = identity.publicReader;
      const rows = await listClaims(deps.sql, { projectId: identity.projectId, workspaceId, after, limit });
      const result = page(rows, limit, (last) => ({ claimed_at: last.claimed_at, id: last.id }));
      return {
        claims: result.items.map((c) => ({
          bead_id: c.bead_id,
          workspace_id: c.workspace_id,
          alias: c.alias,
          human_name: publicReader ? "" : c.human_name,
          claimed_at: c.claimed_at,
          project_id: c.project_id,
        })),
        has_more: result.has_more,
        next_cursor: result.next_cursor,
      };
    },
    {
      query: t.Object({
        workspace_id: t.Optional(t.String()),
        limit: t.Optional(t.String()),
        cursor: t.Optional(t.String()),
      }),
      detail: { summary: "List the project's active bead claims, newest first", tags: ["claims"] },
    },
  );
}
