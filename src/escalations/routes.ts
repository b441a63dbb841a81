// /v1/escalations (contract beadhub.md §16.1). bdh `:escalate` sends
// {workspace_id, alias, subject, situation}; list, detail and respond are the
// dashboard's.
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { cursorTimestamp, decodeCursor, page } from "../http/cursor";
import { forbidden, invalid, notFound, unprocessable } from "../http/errors";
import { ALIAS_RE, bodyInt, normalizeUuid, parseAlias, parseUuid, parseWorkspaceIdPlain, queryInt } from "../http/validate";
import { findEscalation, isLiveWorkspaceOf, listEscalations } from "./data";
import { createEscalation, respondToEscalation } from "./service";

const STATUSES = ["expired", "pending", "responded"];
const INVALID_ALIAS = "Invalid alias: must be alphanumeric with hyphens/underscores, 1-64 chars";
/** ~114 years: keeps expires_at far inside the range Python and Postgres can represent (docs/decisions.md). */
const MAX_EXPIRES_IN_HOURS = 1_000_000;

/** FastAPI's Query(min_length, max_length) check, as a field-list 422. */
function checkLength(raw: string | undefined, name: string, min: number, max: number): void {
  if (raw === undefined) return;
  if (raw.length < min) {
    throw invalid(["query", name], `String should have at least ${min} character${min === 1 ? "" : "s"}`, raw, "string_too_short");
  }
  if (raw.length > max) {
    throw invalid(["query", name], `String should have at most ${max} character${max === 1 ? "" : "s"}`, raw, "string_too_long");
  }
}

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
        checkLength(query.workspace_id, "workspace_id", 1, Infinity);
        checkLength(query.repo_id, "repo_id", 36, 36);
        checkLength(query.status, "status", 0, 20);
        checkLength(query.alias, "alias", 0, 64);
        const limit = queryInt(query.limit, "limit", 50, 1, 200);
        const cursor = decodeCursor(query.cursor);
        const { projectId } = await auth.identity();

        let workspaceId: string | null = null;
        let repoId: string | null = null;
        if (query.workspace_id) {
          workspaceId = parseWorkspaceIdPlain(query.workspace_id);
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
        checkLength(query.workspace_id, "workspace_id", 1, Infinity);
        const { projectId } = await auth.identity();
        const workspaceId = query.workspace_id ? parseWorkspaceIdPlain(query.workspace_id) : null;
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
