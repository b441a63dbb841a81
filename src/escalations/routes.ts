// /v1/escalations: bdh `:escalate` creates; list, detail and respond are the
// dashboard's (docs/protocol/escalations.md).
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { describe } from "../http/openapi";
import { shape } from "../http/model";
import { parseAlias } from "../http/field-rules";
import { bodyInt, checkIndexable, checkLength, cursorTimestamp, decodeCursor, page, parseUuid, queryInt } from "../http/wire";
import {
  CreateEscalationBody,
  Escalation,
  EscalationCreated,
  EscalationPage,
  EscalationParams,
  EscalationQuery,
  EscalationResponded,
  ListEscalationsQuery,
  RespondBody,
} from "./model";
import { createEscalation, findEscalations, getEscalation, respondToEscalation } from "./service";

/** ~114 years: keeps expires_at far inside what Python and Postgres can represent (docs/decisions.md). */
const MAX_EXPIRES_IN_HOURS = 1_000_000;
const TAG = "escalations";

export function escalationRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/escalations" })
    .use(authPlugin(deps))
    .post(
      "/",
      async ({ auth, body }) => {
        const workspaceId = parseUuid(body.workspace_id, ["body", "workspace_id"], "workspace_id");
        const alias = parseAlias(body.alias, ["body", "alias"]);
        checkIndexable(body.member_email, ["body", "member_email"]); // indexed (issue 19)
        const hours =
          body.expires_in_hours === undefined
            ? 4
            : bodyInt(body.expires_in_hours, ["body", "expires_in_hours"], 1, MAX_EXPIRES_IN_HOURS);
        const identity = await auth.aweb();
        return createEscalation(deps, identity, {
          workspace_id: workspaceId,
          alias,
          subject: body.subject,
          situation: body.situation,
          options: body.options ?? null,
          expires_in_hours: hours,
          member_email: body.member_email ?? null,
        });
      },
      {
        body: CreateEscalationBody,
        detail: describe("Escalate a situation to a human", TAG, { 200: EscalationCreated }, [401, 403]),
      },
    )
    .get(
      "/",
      async ({ auth, query }) => {
        // FastAPI's query constraints come first, as lists; then auth; then the handler's own checks.
        checkLength(query.workspace_id, ["query", "workspace_id"], { min: 1 });
        checkLength(query.repo_id, ["query", "repo_id"], { min: 36, max: 36 });
        checkLength(query.status, ["query", "status"], { max: 20 });
        checkLength(query.alias, ["query", "alias"], { max: 64 });
        const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 200 });
        const cursor = decodeCursor(query.cursor);
        const identity = await auth.identity();
        const before = cursor && "created_at" in cursor ? cursorTimestamp(cursor, "created_at") : null;
        const rows = await findEscalations(deps, identity, {
          workspaceId: query.workspace_id,
          repoId: query.repo_id,
          status: query.status,
          alias: query.alias,
          before,
          limit,
        });
        const p = page(rows, limit, (last) => ({ created_at: last.created_at }));
        return { escalations: p.items, has_more: p.has_more, next_cursor: p.next_cursor };
      },
      {
        query: ListEscalationsQuery,
        detail: describe("Escalations of the project, newest first", TAG, { 200: EscalationPage }, [401, 403]),
      },
    )
    .get(
      "/:escalation_id",
      async ({ auth, params, query }) => {
        checkLength(query.workspace_id, ["query", "workspace_id"], { min: 1 });
        const identity = await auth.identity();
        return getEscalation(deps, identity, params.escalation_id, query.workspace_id);
      },
      {
        params: EscalationParams,
        query: EscalationQuery,
        detail: describe("One escalation", TAG, { 200: Escalation }, [401, 404]),
      },
    )
    .post(
      "/:escalation_id/respond",
      async ({ auth, params, body }) => {
        const identity = await auth.aweb();
        const by = await auth.callerName();
        const row = await respondToEscalation(deps, identity, params.escalation_id, body.response, body.note ?? null, by);
        return shape(EscalationResponded, row);
      },
      {
        params: EscalationParams,
        body: RespondBody,
        detail: describe("Answer an escalation", TAG, { 200: EscalationResponded }, [401, 404, 409]),
      },
    );
}
