// The two workspace-ownership checks every route uses, with the errors and the
// order the protocol gives them (docs/protocol/auth.md#workspace-checks).
// Nothing else queries "is this workspace live in my project".
import type { Deps } from "../deps";
import type { Db } from "../db/pool";
import { enforceActorBinding, type Identity, type RequestAuth } from "../auth/identity";
import { forbidden, gone, notFound } from "../http/errors";
import { parseUuid } from "../http/wire";
import { findWorkspace, type WorkspaceRow } from "./data";

export const NOT_YOUR_WORKSPACE = "Workspace not found or does not belong to your project";

/**
 * The workspace is live and belongs to the caller's project: actor binding
 * (403, unless `bound: false` for reads that may name any workspace of the
 * project) → live anywhere (403) → alias, when given (403) → same project
 * (403). A deleted or foreign workspace reads as "not found or not yours".
 */
export async function requireOwnWorkspace(
  db: Db,
  identity: Identity,
  workspaceId: string,
  options: { alias?: string; bindingDetail?: string; bound?: boolean } = {},
): Promise<WorkspaceRow> {
  if (options.bound !== false) enforceActorBinding(identity, workspaceId, options.bindingDetail);
  const workspace = await findWorkspace(db, workspaceId);
  if (!workspace || workspace.deleted_at !== null) throw forbidden(NOT_YOUR_WORKSPACE);
  if (options.alias !== undefined && workspace.alias !== options.alias) throw forbidden("Alias does not match workspace_id");
  if (workspace.project_id !== identity.projectId) throw forbidden(NOT_YOUR_WORKSPACE);
  return workspace;
}

/**
 * Subscriptions' variant of the own-workspace check (docs/protocol/auth.md#workspace-checks):
 * the caller has already been bound to the workspace; live in the caller's
 * project (403) is checked before the alias (403), so a workspace of another
 * project never reveals whether the alias matched.
 */
export async function requireOwnWorkspaceProjectFirst(db: Db, identity: Identity, workspaceId: string, alias: string): Promise<WorkspaceRow> {
  const workspace = await findWorkspace(db, workspaceId);
  if (!workspace || workspace.deleted_at !== null || workspace.project_id !== identity.projectId) {
    throw forbidden(NOT_YOUR_WORKSPACE);
  }
  if (workspace.alias !== alias) throw forbidden("Alias does not match workspace_id");
  return workspace;
}

/**
 * The reference's verify_workspace_access (agent registration and MCP): 422 bad
 * UUID → 401 auth → 404 missing → 410 deleted → 403 other project → 403 binding.
 */
export async function verifyWorkspaceAccess(
  deps: Deps,
  auth: RequestAuth,
  rawWorkspaceId: unknown,
  loc: (string | number)[] = ["body", "workspace_id"],
): Promise<{ identity: Identity; workspace: WorkspaceRow }> {
  const workspaceId = parseUuid(rawWorkspaceId, loc, "workspace_id");
  const identity = await auth.identity();
  const workspace = await findWorkspace(deps.sql, workspaceId);
  if (!workspace) throw notFound("Workspace not found");
  if (workspace.deleted_at !== null) throw gone("Workspace was deleted");
  if (workspace.project_id !== identity.projectId) throw forbidden(NOT_YOUR_WORKSPACE);
  enforceActorBinding(identity, workspaceId);
  return { identity, workspace };
}
