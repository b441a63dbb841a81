// Escalation create/respond with their dashboard events (contract beadhub.md
// §16.1, §11). Events go out after the write has committed, on the creator's
// workspace channel; project_slug comes from the presence hash, or null.
import type { Deps } from "../deps";
import type { Identity } from "../auth/identity";
import { enforceActorBinding } from "../auth/identity";
import { publishWorkspaceEvent } from "../events/publish";
import { conflict, forbidden, notFound } from "../http/errors";
import { readPresence } from "../presence/presence";
import {
  findLiveWorkspace,
  insertEscalation,
  lockEscalation,
  recordResponse,
  type CreatedEscalation,
  type RespondedEscalation,
} from "./data";

async function projectSlugOf(deps: Deps, workspaceId: string): Promise<string | null> {
  const presence = await readPresence(deps, [workspaceId]);
  return presence.get(workspaceId)?.project_slug || null;
}

export interface CreateInput {
  workspaceId: string;
  alias: string;
  subject: string;
  situation: string;
  options: string[] | null;
  expiresInHours: number;
  memberEmail: string | null;
}

export async function createEscalation(deps: Deps, identity: Identity, input: CreateInput): Promise<CreatedEscalation> {
  // The §16.1 check order: binding, live workspace, alias, then project.
  enforceActorBinding(identity, input.workspaceId);
  const notYours = () => forbidden("Workspace not found or does not belong to your project");
  const workspace = await findLiveWorkspace(deps.sql, input.workspaceId);
  if (!workspace) throw notYours();
  if (workspace.alias !== input.alias) throw forbidden("Alias does not match workspace_id");
  if (workspace.project_id !== identity.projectId) throw notYours();

  const created = await insertEscalation(deps.sql, {
    projectId: identity.projectId,
    workspaceId: input.workspaceId,
    alias: input.alias,
    memberEmail: input.memberEmail,
    subject: input.subject,
    situation: input.situation,
    // An empty list is stored as null (§16.1).
    options: input.options && input.options.length > 0 ? input.options : null,
    expiresInHours: input.expiresInHours,
  });
  await publishWorkspaceEvent(deps, input.workspaceId, "escalation.created", await projectSlugOf(deps, input.workspaceId), {
    escalation_id: created.escalation_id,
    alias: input.alias,
    subject: input.subject,
  });
  return created;
}

/**
 * Record a response. Any project member may answer, and may answer again (the
 * latest response wins, as in the reference); an escalation that expired while
 * pending can no longer be answered (§20 Q2, docs/decisions.md).
 */
export async function respondToEscalation(
  deps: Deps,
  projectId: string,
  escalationId: string | null,
  response: string,
  note: string | null,
): Promise<RespondedEscalation> {
  const row = await deps.sql.begin(async (tx) => {
    const found = escalationId === null ? null : await lockEscalation(tx, projectId, escalationId);
    if (!found) throw notFound("Escalation not found");
    if (found.expired) throw conflict("Escalation has expired");
    return recordResponse(tx, escalationId!, response, note);
  });
  await publishWorkspaceEvent(deps, row.workspace_id, "escalation.responded", await projectSlugOf(deps, row.workspace_id), {
    escalation_id: row.escalation_id,
    response,
  });
  return row;
}
