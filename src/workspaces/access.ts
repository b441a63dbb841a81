// verify_workspace_access (contract beadhub.md §1), in the reference's order:
// 422 bad UUID → 401 auth → 404 missing → 410 deleted → 403 other project → 403 binding.
import type { Deps } from "../deps";
import { enforceActorBinding, type Identity, type RequestAuth } from "../auth/identity";
import { forbidden, gone, notFound } from "../http/errors";
import { parseUuid } from "../http/wire";
import { findWorkspace, type WorkspaceRow } from "./data";

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
  if (workspace.project_id !== identity.projectId) {
    throw forbidden("Workspace not found or does not belong to your project");
  }
  enforceActorBinding(identity, workspaceId);
  return { identity, workspace };
}
