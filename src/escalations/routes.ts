// /v1/escalations (contract beadhub.md §16.1). bdh `:escalate` sends
// {workspace_id, alias, subject, situation}; list, detail and respond are the
// dashboard's.
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { forbidden, invalid, notFound, unprocessable } from "../http/errors";
import { ALIAS_RE, parseAlias } from "../http/field-rules";
import { bodyInt, checkLength, cursorTimestamp, decodeCursor, normalizeUuid, page, parseUuid, plainWorkspaceId, queryInt } from "../http/wire";
import { findEscalation, isLiveWorkspaceOf, listEscalations } from "./data";
import { createEscalation, respondToEscalation } from "./service";

const STATUSES = ["expired", "pending", "responded"];
const INVALID_ALIAS = "Invalid alias: must be alphanumeric with hyphens/underscores, 1-64 chars";
/** ~114 years: keeps expires_at far inside the range Python and Postgres can represent (docs/decisions.md). */
const MAX_EXPIRES_IN_HOURS = 1_000_000;

// Extra body and query keys are ignored (§0); Elysia forbids them at the root unless told.
const LOOSE = { additionalProperties: true };

const Params = t.Object({ escalation_id: t.String() });

export function escalationRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/escalations" })
    .use(authPlugin(deps))
    .post(
      "/",
      async ({ auth, body }) => {
        const workspaceId = parseUuid(body.workspace_id, ["body", "workspace_id"], "workspace_id");
        const alias = parseAlias(body.alias, ["body", "alias"]);
        const hours =
          body.expires_in_hours === undefined
            ? 4
            : bodyInt(body.expires_in_hours, ["body", "expires_in_hours"], 1, MAX_EXPIRES_IN_HOURS);
        const identity = await auth.aweb();
        return createEscalation(deps, identity, {
          workspaceId,
          alias,
          subject: body.subject,
          situation: body.situation,
          options: body.options ?? null,
          expiresInHours: hours,
          memberEmail: body.member_email ?? null,
        });
      },
      {
        body: t.Object({
          workspace_id: t.String({ minLength: 1 }),
          alias: t.String({ minLength: 1, maxLength: 64 }),
          subject: t.String({ minLength: 1 }),
          situation: t.String({ minLength: 1 }),
          options: t.Optional(t.Nullable(t.Array(t.String()))),
          expires_in_hours: t.Optional(t.Unknown()),
          member_email: t.Optional(t.Nullable(t.String())),
        }, LOOSE),
        detail: { summary: "Escalate a situation to a human", tags: ["escalations"] },
      },
    )
    .get(
      "/",
      async ({ auth, query }) => {
        checkLength(query.workspace_id, ["query", "workspace_id"], { min: 1 });
        checkLength(query.repo_id, ["query", "repo_id"], { min: 36, max: 36 });
        checkLength(query.status, ["query", "status"], { max: 20 });
        checkLength(query.alias, ["query", "alias"], { max: 64 });
        const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 200 });
        const cursor = decodeCursor(query.cursor);
        const { projectId } = await auth.identity();

        let workspaceId: string | null = null;
        let repoId: string | null = null;
        if (query.workspace_id) {
          workspaceId = plainWorkspaceId(query.workspace_id);
          if (!(await isLiveWorkspaceOf(deps.sql, projectId, workspaceId))) {
            throw forbidden("Workspace not found or does not belong to your project");
          }
        } else if (query.repo_id) {
          repoId = normalizeUuid(query.repo_id);
          if (!repoId) throw unprocessable("Invalid repo_id format: expected UUID");
        }
        const status = query.status || null;
        if (status !== null && !STATUSES.includes(status)) {
          throw unprocessable(`Invalid status: must be one of ['expired', 'pending', 'responded']`);
        }
        const alias = query.alias || null;
        if (alias !== null && !ALIAS_RE.test(alias)) throw unprocessable(INVALID_ALIAS);
        const before = cursor && "created_at" in cursor ? cursorTimestamp(cursor, "created_at") : null;

        const rows = await listEscalations(deps.sql, { projectId, workspaceId, repoId, status, alias, before, limit });
        const p = page(rows, limit, (last) => ({ created_at: last.created_at }));
        return { escalations: p.items, has_more: p.has_more, next_cursor: p.next_cursor };
      },
      {
        query: t.Object({
          workspace_id: t.Optional(t.String()),
          repo_id: t.Optional(t.String()),
          status: t.Optional(t.String()),
          alias: t.Optional(t.String()),
          limit: t.Optional(t.String()),
          cursor: t.Optional(t.String()),
        }, LOOSE),
        detail: { summary: "Escalations of the project, newest first", tags: ["escalations"] },
      },
    )
    .get(
      "/:escalation_id",
      async ({ auth, params, query }) => {
        checkLength(query.workspace_id, ["query", "workspace_id"], { min: 1 });
        const { projectId } = await auth.identity();
        const workspaceId = query.workspace_id ? plainWorkspaceId(query.workspace_id) : null;
        // A malformed id cannot name an escalation: 404, where the reference crashed (§16.1).
        const id = normalizeUuid(params.escalation_id);
        const row = id === null ? null : await findEscalation(deps.sql, projectId, id, workspaceId);
        if (!row) throw notFound("Escalation not found");
        return { ...row, options: Array.isArray(row.options) ? row.options : null };
      },
      {
        params: Params,
        query: t.Object({ workspace_id: t.Optional(t.String()) }, LOOSE),
        detail: { summary: "One escalation", tags: ["escalations"] },
      },
    )
    .post(
      "/:escalation_id/respond",
      async ({ auth, params, body }) => {
        const { projectId } = await auth.aweb();
        const row = await respondToEscalation(
          deps,
          projectId,
          normalizeUuid(params.escalation_id),
          body.response,
          body.note ?? null,
        );
        return {
          escalation_id: row.escalation_id,
          status: row.status,
          response: row.response,
          response_note: row.response_note,
          responded_at: row.responded_at,
        };
      },
      {
        params: Params,
        body: t.Object({ response: t.String({ minLength: 1 }), note: t.Optional(t.Nullable(t.String())) }, LOOSE),
        detail: { summary: "Answer an escalation", tags: ["escalations"] },
      },
    );
}
