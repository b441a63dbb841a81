// Escalations: the rules (who may create, expiry, answering) and their events.
// Events go out after the write has committed, on the creator's workspace
// channel (docs/protocol/events.md).
import type { Deps } from "../deps";
import type { Identity } from "../auth/identity";
import { presenceSlug, publishWorkspaceEvent } from "../events/publish";
import { conflict, notFound, unprocessable } from "../http/errors";
import { ALIAS_RE } from "../http/field-rules";
import { normalizeUuid, plainRepoId, plainWorkspaceId } from "../http/wire";
import { requireOwnWorkspace } from "../workspaces/access";
import { findEscalation, insertEscalation, listEscalations, lockEscalation, recordResponse } from "./data";
import {
  ESCALATION_STATUSES,
  type Escalation,
  type EscalationCreated,
  type EscalationFilter,
  type EscalationSummary,
  type NewEscalation,
} from "./model";

export async function createEscalation(
  deps: Deps,
  identity: Identity,
  input: Omit<NewEscalation, "project_id">,
): Promise<EscalationCreated> {
  await requireOwnWorkspace(deps.sql, identity, input.workspace_id, { alias: input.alias });
  const created = await insertEscalation(deps.sql, {
    ...input,
    project_id: identity.projectId,
    // An empty list is stored as null.
    options: input.options && input.options.length > 0 ? input.options : null,
  });
  await publishWorkspaceEvent(deps, input.workspace_id, "escalation.created", await presenceSlug(deps, input.workspace_id), {
    escalation_id: created.escalation_id,
    alias: input.alias,
    subject: input.subject,
  });
  return created;
}

export interface ListInput {
  workspaceId: string | undefined;
  repoId: string | undefined;
  status: string | undefined;
  alias: string | undefined;
  before: string | null;
  limit: number;
}

/** The project's escalations, newest first; limit+1 rows for paging. */
export async function findEscalations(deps: Deps, identity: Identity, q: ListInput): Promise<EscalationSummary[]> {
  const filter: EscalationFilter = {
    projectId: identity.projectId,
    workspaceId: null,
    repoId: null,
    status: q.status || null,
    alias: q.alias || null,
    before: q.before,
    limit: q.limit,
  };
  // The handler's own checks answer plain-string 422s, in the reference's order.
  if (q.workspaceId) {
    filter.workspaceId = plainWorkspaceId(q.workspaceId);
    // Any member may filter by any live workspace of the project: no actor binding here.
    await requireOwnWorkspace(deps.sql, identity, filter.workspaceId, { bound: false });
  } else if (q.repoId) {
    filter.repoId = plainRepoId(q.repoId);
  }
  if (filter.status !== null && !(ESCALATION_STATUSES as readonly string[]).includes(filter.status)) {
    throw unprocessable(`Invalid status: must be one of ['expired', 'pending', 'responded']`);
  }
  if (filter.alias !== null && !ALIAS_RE.test(filter.alias)) {
    throw unprocessable("Invalid alias: must be alphanumeric with hyphens/underscores, 1-64 chars");
  }
  return listEscalations(deps.sql, filter);
}

export async function getEscalation(
  deps: Deps,
  identity: Identity,
  rawId: string,
  rawWorkspaceId: string | undefined,
): Promise<Escalation> {
  const workspaceId = rawWorkspaceId ? plainWorkspaceId(rawWorkspaceId) : null;
  // A malformed id cannot name an escalation: 404 (the reference crashed with a 500).
  const id = normalizeUuid(rawId);
  const row = id === null ? null : await findEscalation(deps.sql, identity.projectId, id, workspaceId);
  if (!row) throw notFound("Escalation not found");
  return row;
}

/**
 * Record a response. Any project member may answer, and may answer again (the
 * latest response wins); an escalation that expired while pending can no
 * longer be answered (docs/protocol/escalations.md#expiry).
 */
export async function respondToEscalation(
  deps: Deps,
  identity: Identity,
  rawId: string,
  response: string,
  note: string | null,
  respondedBy: string | null,
): Promise<Escalation> {
  const escalationId = normalizeUuid(rawId);
  const row = await deps.sql.begin(async (tx) => {
    const found = escalationId === null ? null : await lockEscalation(tx, identity.projectId, escalationId);
    if (!found) throw notFound("Escalation not found");
    if (found.expired) throw conflict("Escalation has expired");
    return recordResponse(tx, escalationId!, response, note, respondedBy);
  });
  await publishWorkspaceEvent(deps, row.workspace_id, "escalation.responded", await presenceSlug(deps, row.workspace_id), {
    escalation_id: row.escalation_id,
    response,
    responded_by: row.responded_by,
  });
  return row;
}
