// /v1/claims (docs/protocol/sync.md#claims, docs/protocol/dashboard-api.md#claims):
// the project's bead claims, and claiming/releasing outside bdh (dashboard, MCP).
// Public readers see human_name "" (docs/protocol/auth.md#public-readers).
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { describe } from "../http/openapi";
import { cursorIsoTimestamp, cursorUuid, decodeCursor, page, parseUuid, queryInt, queryUuid, rejectNul } from "../http/wire";
import { ClaimBody, ClaimPage, Claimed, ListClaimsQuery, Released } from "./model";
import { claimIssue, findClaims, humanOrNull, releaseIssue } from "./service";

const TAG = "claims";

function claimsCursor(raw: string | undefined) {
  const cursor = decodeCursor(raw);
  if (cursor === null) return null;
  // id breaks ties: claims made in one sync share claimed_at. A cursor
  // without it (reference style) pages by claimed_at alone.
  return { claimedAt: cursorIsoTimestamp(cursor, "claimed_at"), id: cursorUuid(cursor, "id") };
}

function claimInput(body: { bead_id: string; workspace_id?: string | null }) {
  rejectNul(body.bead_id, ["body", "bead_id"]);
  const workspaceId = body.workspace_id == null ? null : parseUuid(body.workspace_id, ["body", "workspace_id"], "workspace_id");
  return { bead_id: body.bead_id, workspace_id: workspaceId };
}

export function claimRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/claims" })
    .use(authPlugin(deps))
    .get(
      "",
      async ({ query, auth }) => {
        // An empty workspace_id means no filter, as in the reference.
        const workspaceId = query.workspace_id === "" ? null : queryUuid(query.workspace_id, "workspace_id");
        const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 200 });
        const after = claimsCursor(query.cursor);
        const identity = await auth.identity();
        const rows = await findClaims(deps, { projectId: identity.projectId, workspaceId, after, limit });
        const result = page(rows, limit, (last) => ({ claimed_at: last.claimed_at, id: last.id }));
        return {
          claims: result.items.map(({ id: _id, ...c }) => (identity.publicReader ? { ...c, human_name: "" } : c)),
          has_more: result.has_more,
          next_cursor: result.next_cursor,
        };
      },
      {
        query: ListClaimsQuery,
        detail: describe("List the project's active bead claims, newest first", TAG, { 200: ClaimPage }, [401]),
      },
    )
    .post(
      "",
      async ({ body, auth }) => {
        const input = claimInput(body);
        return claimIssue(deps, await auth.requireWriter(), input);
      },
      {
        body: ClaimBody,
        detail: describe("Claim a bead for your workspace (409 names the holder)", TAG, { 200: Claimed }, [401, 403, 409, 410]),
      },
    )
    .post(
      "/release",
      async ({ body, auth }) => {
        const input = claimInput(body);
        const identity = await auth.requireWriter();
        return releaseIssue(deps, identity, input, await humanOrNull(auth));
      },
      {
        body: ClaimBody,
        detail: describe("Release your claim; a human may release any claim of the project", TAG, { 200: Released }, [401, 403]),
      },
    );
}
