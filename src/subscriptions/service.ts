// /v1/subscriptions (docs/protocol/subscriptions.md#subscriptions-create; used through MCP, not bdh).
// Unlike most routes, bead_id / event_type / subscription_id errors are 400s,
// not 422s, as in the reference.
import type { Deps } from "../deps";
import { enforceActorBinding, type Identity } from "../auth/identity";
import { badRequest, notFound } from "../http/errors";
import { parseAlias } from "../http/field-rules";
import { checkIndexable, normalizeUuid, parseUuid, plainWorkspaceId } from "../http/wire";
import { requireOwnWorkspaceProjectFirst } from "../workspaces/access";
import { deleteSubscription, listSubscriptions, upsertSubscription } from "./data";
import type {
  SubscribeInput,
  SubscriptionAnswer,
  SubscriptionDeletedAnswer,
  SubscriptionListAnswer,
  SubscriptionOwner,
} from "./model";

// "[repo:]id", each part alnum then [A-Za-z0-9_-], up to 100 chars; no dots.
const PART = "[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}";
const SUBSCRIPTION_BEAD_RE = new RegExp(`^(${PART}:)?${PART}$`);
const EVENT_TYPES = ["status_change", "priority_change", "assignee_change", "all"];
// The reference prints its Python set; this is one of its orders.
const EVENT_TYPES_REPR = "{'status_change', 'priority_change', 'assignee_change', 'all'}";

/** The query's workspace, bound to the caller's actor (plain-string id rule). */
function boundWorkspace(identity: Identity, rawWorkspaceId: string): string {
  const workspaceId = plainWorkspaceId(rawWorkspaceId);
  enforceActorBinding(identity, workspaceId);
  return workspaceId;
}

export interface ParsedSubscribe {
  workspaceId: string;
  alias: string;
  body: SubscribeInput;
}

/** POST's field rules; they answer 422 before authentication does. */
export function parseSubscribe(body: SubscribeInput): ParsedSubscribe {
  const workspaceId = parseUuid(body.workspace_id, ["body", "workspace_id"], "workspace_id");
  const alias = parseAlias(body.alias, ["body", "alias"]);
  checkIndexable(body.repo, ["body", "repo"]); // part of the unique key (issue 19)
  return { workspaceId, alias, body };
}

/** POST /v1/subscriptions: idempotent per (workspace, bead, repo). */
export async function subscribe(deps: Deps, identity: Identity, input: ParsedSubscribe): Promise<SubscriptionAnswer> {
  const { workspaceId, alias, body } = input;
  enforceActorBinding(identity, workspaceId);
  if (!SUBSCRIPTION_BEAD_RE.test(body.bead_id)) {
    throw badRequest(`Invalid bead_id format: ${[...body.bead_id].slice(0, 100).join("")}`);
  }
  const eventTypes = body.event_types ?? ["status_change"];
  for (const type of eventTypes) {
    if (!EVENT_TYPES.includes(type)) throw badRequest(`Invalid event_type: ${type}. Valid: ${EVENT_TYPES_REPR}`);
  }
  await requireOwnWorkspaceProjectFirst(deps.sql, identity, workspaceId, alias);
  const row = await upsertSubscription(deps.sql, {
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
}

/** GET /v1/subscriptions: a workspace's subscriptions, newest first. */
export async function listWorkspaceSubscriptions(deps: Deps, identity: Identity, owner: SubscriptionOwner): Promise<SubscriptionListAnswer> {
  const workspaceId = boundWorkspace(identity, owner.workspace_id);
  await requireOwnWorkspaceProjectFirst(deps.sql, identity, workspaceId, owner.alias);
  const rows = await listSubscriptions(deps.sql, identity.projectId, workspaceId);
  return { subscriptions: rows, count: rows.length };
}

/** DELETE /v1/subscriptions/{id}; the id is echoed as the caller wrote it. */
export async function unsubscribe(
  deps: Deps,
  identity: Identity,
  owner: SubscriptionOwner,
  rawSubscriptionId: string,
): Promise<SubscriptionDeletedAnswer> {
  const workspaceId = boundWorkspace(identity, owner.workspace_id);
  const id = normalizeUuid(rawSubscriptionId);
  if (!id) throw badRequest("Invalid subscription_id format");
  await requireOwnWorkspaceProjectFirst(deps.sql, identity, workspaceId, owner.alias);
  if (!(await deleteSubscription(deps.sql, identity.projectId, workspaceId, owner.alias, id))) {
    throw notFound("Subscription not found");
  }
  return { subscription_id: rawSubscriptionId, deleted: true };
}
