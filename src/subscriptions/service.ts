// /v1/subscriptions (contract beadhub.md §16.2; used through MCP, not bdh).
// Unlike most routes, bead_id / event_type / subscription_id errors are 400s,
// not 422s (§19.9), as in the reference.
import type { Deps } from "../deps";
import { enforceActorBinding, type Identity } from "../auth/identity";
import { badRequest, forbidden, notFound } from "../http/errors";
import { parseAlias } from "../http/field-rules";
import { checkIndexable, normalizeUuid, parseUuid, plainWorkspaceId } from "../http/wire";
import { NOT_YOUR_WORKSPACE } from "../workspaces/access";
import { deleteSubscription, findLiveWorkspaceAlias, listSubscriptions, upsertSubscription } from "./data";
import type {
  SubscribeInput,
  SubscriptionAnswer,
  SubscriptionDeletedAnswer,
  SubscriptionListAnswer,
  SubscriptionOwner,
} from "./model";

// "[repo:]id", each part alnum then [A-Za-z0-9_-], up to 100 chars; no dots (§9).
const PART = "[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}";
const SUBSCRIPTION_BEAD_RE = new RegExp(`^(${PART}:)?${PART}$`);
const EVENT_TYPES = ["status_change", "priority_change", "assignee_change", "all"];
// The reference prints its Python set; this is one of its orders.
const EVENT_TYPES_REPR = "{'status_change', 'priority_change', 'assignee_change', 'all'}";

/**
 * The workspace must be live in the caller's project and carry this alias
 * (403s). Live-in-project is checked before the alias here, unlike
 * requireOwnWorkspace, so a foreign workspace never reveals its alias.
 */
async function requireSubscriber(deps: Deps, projectId: string, workspaceId: string, alias: string): Promise<void> {
  const actual = await findLiveWorkspaceAlias(deps.sql, projectId, workspaceId);
  if (actual === null) throw forbidden(NOT_YOUR_WORKSPACE);
  if (actual !== alias) throw forbidden("Alias does not match workspace_id");
}

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
  await requireSubscriber(deps, identity.projectId, workspaceId, alias);
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
  await requireSubscriber(deps, identity.projectId, workspaceId, owner.alias);
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
  await requireSubscriber(deps, identity.projectId, workspaceId, owner.alias);
  if (!(await deleteSubscription(deps.sql, identity.projectId, workspaceId, owner.alias, id))) {
    throw notFound("Subscription not found");
  }
  return { subscription_id: rawSubscriptionId, deleted: true };
}
