// /v1/subscriptions (contract beadhub.md §16.2; used through MCP, not bdh).
// Unlike most routes, bead_id / event_type / subscription_id errors are 400s,
// not 422s (§19.9), as in the reference.
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { Subscription, SubscriptionDeleted, SubscriptionList } from "./model";
import type { Db } from "../db/pool";
import { authPlugin } from "../auth/plugin";
import type { RequestAuth } from "../auth/identity";
import { enforceActorBinding } from "../auth/identity";
import { badRequest, forbidden, notFound } from "../http/errors";
import { parseAlias } from "../http/field-rules";
import { checkIndexable, normalizeUuid, parseUuid, plainWorkspaceId } from "../http/wire";
import { deleteSubscription, findLiveWorkspaceAlias, listSubscriptions, upsertSubscription } from "./data";

// "[repo:]id", each part alnum then [A-Za-z0-9_-], up to 100 chars; no dots (§9).
const PART = "[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}";
const SUBSCRIPTION_BEAD_RE = new RegExp(`^(${PART}:)?${PART}$`);
const EVENT_TYPES = ["status_change", "priority_change", "assignee_change", "all"];
// The reference prints its Python set; this is one of its orders.
const EVENT_TYPES_REPR = "{'status_change', 'priority_change', 'assignee_change', 'all'}";

/** The workspace must be live in the caller's project and carry this alias (403s). */
async function checkOwner(sql: Db, projectId: string, workspaceId: string, alias: string) {
  const actual = await findLiveWorkspaceAlias(sql, projectId, workspaceId);
  if (actual === null) throw forbidden("Workspace not found or does not belong to your project");
  if (actual !== alias) throw forbidden("Alias does not match workspace_id");
}

async function bindQuery(auth: RequestAuth, rawWorkspaceId: string, write: boolean) {
  const identity = write ? await auth.aweb() : await auth.identity();
  const workspaceId = plainWorkspaceId(rawWorkspaceId);
  enforceActorBinding(identity, workspaceId);
  return { projectId: identity.projectId, workspaceId };
}

// Extra body and query keys are ignored (§0); Elysia forbids them at the root unless told.
const LOOSE = { additionalProperties: true };

const OwnerQuery = t.Object({
  workspace_id: t.String({ minLength: 1 }),
  alias: t.String({ minLength: 1, maxLength: 64 }),
}, LOOSE);

export function subscriptionRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  const { sql } = deps;
  return new Elysia({ prefix: "/v1/subscriptions" })
    .use(authPlugin(deps))
    .post(
      "/",
      async ({ auth, body }) => {
        const workspaceId = parseUuid(body.workspace_id, ["body", "workspace_id"], "workspace_id");
        const alias = parseAlias(body.alias, ["body", "alias"]);
        checkIndexable(body.repo, ["body", "repo"]); // part of the unique key (issue 19)
        const identity = await auth.aweb();
        enforceActorBinding(identity, workspaceId);
        if (!SUBSCRIPTION_BEAD_RE.test(body.bead_id)) {
          throw badRequest(`Invalid bead_id format: ${[...body.bead_id].slice(0, 100).join("")}`);
        }
        const eventTypes = body.event_types ?? ["status_change"];
        for (const type of eventTypes) {
          if (!EVENT_TYPES.includes(type)) throw badRequest(`Invalid event_type: ${type}. Valid: ${EVENT_TYPES_REPR}`);
        }
        await checkOwner(sql, identity.projectId, workspaceId, alias);
        const row = await upsertSubscription(sql, {
          projectId: identity.projectId,
          workspaceId,
          alias,
          beadId: body.bead_id,
          repo: body.repo ?? null,
          eventTypes,
        });
        return {
          subscription_id: row.subscription_id,
          workspace_id: workspaceId,
          alias,
          bead_id: body.bead_id,
          repo: body.repo ?? null,
          event_types: row.event_types,
          created_at: row.created_at,
        };
      },
      {
        body: t.Object({
          workspace_id: t.String({ minLength: 1 }),
          alias: t.String({ minLength: 1, maxLength: 64 }),
          bead_id: t.String({ minLength: 1 }),
          repo: t.Optional(t.Nullable(t.String())),
          event_types: t.Optional(t.Array(t.String())),
        }, LOOSE),
        detail: describe("Subscribe a workspace to changes of a bead", "subscriptions", { 200: Subscription }, [400, 401, 403]),
      },
    )
    .get(
      "/",
      async ({ auth, query }) => {
        const { projectId, workspaceId } = await bindQuery(auth, query.workspace_id, false);
        await checkOwner(sql, projectId, workspaceId, query.alias);
        const rows = await listSubscriptions(sql, projectId, workspaceId);
        return { subscriptions: rows, count: rows.length };
      },
      {
        query: OwnerQuery,
        detail: describe("A workspace's subscriptions, newest first", "subscriptions", { 200: SubscriptionList }, [400, 401, 403]),
      },
    )
    .delete(
      "/:subscription_id",
      async ({ auth, params, query }) => {
        const { projectId, workspaceId } = await bindQuery(auth, query.workspace_id, true);
        const id = normalizeUuid(params.subscription_id);
        if (!id) throw badRequest("Invalid subscription_id format");
        await checkOwner(sql, projectId, workspaceId, query.alias);
        if (!(await deleteSubscription(sql, projectId, workspaceId, query.alias, id))) {
          throw notFound("Subscription not found");
        }
        return { subscription_id: params.subscription_id, deleted: true };
      },
      {
        params: t.Object({ subscription_id: t.String() }),
        query: OwnerQuery,
        detail: describe("Remove one of a workspace's subscriptions", "subscriptions", { 200: SubscriptionDeleted }, [400, 401, 403, 404]),
      },
    );
}
