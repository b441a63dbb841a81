// Workspace writes (contract beadhub.md §4.3, §4.7, §4.8):
//   POST   /v1/workspaces/heartbeat              project + actor binding
//   DELETE /v1/workspaces/{workspace_id}         any project member (peer cleanup), no binding
//   POST   /v1/workspaces/{workspace_id}/restore project + actor binding
// There is no GET or PATCH /v1/workspaces/{id} (§19.20): those answer 405.
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { WorkspaceDeleted, WorkspaceHeartbeatAnswer, WorkspaceRestored } from "./model";
import { enforceActorBinding } from "../auth/identity";
import { authPlugin } from "../auth/plugin";
import { conflict, notFound } from "../http/errors";
import { parseAlias, parseHostname, parseHumanName, parseRole, parseWorkspacePath } from "../http/field-rules";
import { parseUuid } from "../http/wire";
import { canonicalOriginOf } from "../init/routes";
import { aliasUsedByOther, deleteClaimsOfWorkspaces, findWorkspace, restoreWorkspace, softDeleteWorkspace } from "./data";
import { workspaceHeartbeat } from "./heartbeat";

/** "" → null, so hostname/workspace_path stay fillable later (heartbeat only fills nulls). */
const blankToNull = (v: string): string | null => (v === "" ? null : v);

export function workspaceLifecycleRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/workspaces" })
    .use(authPlugin(deps))
    .post(
      "/heartbeat",
      async ({ body, auth }) => {
        const workspaceId = parseUuid(body.workspace_id, ["body", "workspace_id"], "workspace_id");
        const alias = parseAlias(body.alias, ["body", "alias"]);
        const canonicalOrigin = canonicalOriginOf(body.repo_origin, "repo_origin");
        const input = {
          workspaceId,
          alias,
          repoOrigin: body.repo_origin.trim(),
          canonicalOrigin,
          role: parseRole(body.role ?? null, ["body", "role"], null),
          currentBranch: body.current_branch ?? null,
          hostname: body.hostname == null ? null : blankToNull(parseHostname(body.hostname, ["body", "hostname"])),
          workspacePath:
            body.workspace_path == null ? null : blankToNull(parseWorkspacePath(body.workspace_path, ["body", "workspace_path"])),
          humanName: parseHumanName(body.human_name, ["body", "human_name"]),
        };
        return workspaceHeartbeat(deps, await auth.requireWriter(), input);
      },
      {
        body: t.Object({
          workspace_id: t.String({ minLength: 1 }),
          alias: t.String({ minLength: 1, maxLength: 64 }),
          repo_origin: t.String({ minLength: 1, maxLength: 512 }),
          role: t.Optional(t.Nullable(t.String({ maxLength: 50 }))),
          current_branch: t.Optional(t.Nullable(t.String({ maxLength: 255 }))),
          hostname: t.Optional(t.Nullable(t.String({ maxLength: 255 }))),
          workspace_path: t.Optional(t.Nullable(t.String({ maxLength: 1024 }))),
          human_name: t.Optional(t.Nullable(t.String({ maxLength: 64 }))),
        }),
        detail: describe("Refresh a workspace (creating it if new) and its presence", "workspaces", { 200: WorkspaceHeartbeatAnswer }, [401, 403, 409]),
      },
    )
    .delete(
      "/:workspace_id",
      async ({ params, auth }) => {
        const id = parseUuid(params.workspace_id, ["path", "workspace_id"], "workspace_id");
        const identity = await auth.requireWriter();
        const ws = await findWorkspace(deps.sql, id);
        if (!ws || ws.project_id !== identity.projectId) throw notFound(`Workspace ${params.workspace_id} not found`);
        const deletedAt = await deps.sql.begin(async (tx) => {
          // The update locks the workspace row, which every claim write locks
          // first: a claim racing this delete either commits before it (and is
          // deleted below) or sees the workspace deleted (issue 19, defect 3).
          const at = await softDeleteWorkspace(tx, id);
          // Soft delete does not fire the FK cascade; claims go now, and also on
          // a second DELETE, so no leftover can outlive it. Presence stays
          // until its TTL (§4.7, §19.17).
          await deleteClaimsOfWorkspaces(tx, [id]);
          return at;
        });
        if (deletedAt === null) throw notFound(`Workspace ${params.workspace_id} is already deleted`);
        return { workspace_id: id, alias: ws.alias, deleted_at: deletedAt };
      },
      {
        params: t.Object({ workspace_id: t.String() }),
        detail: describe("Soft-delete any workspace of the project and release its claims", "workspaces", { 200: WorkspaceDeleted }, [401, 403, 404]),
      },
    )
    .post(
      "/:workspace_id/restore",
      async ({ params, auth }) => {
        const id = parseUuid(params.workspace_id, ["path", "workspace_id"], "workspace_id");
        const identity = await auth.requireWriter();
        enforceActorBinding(identity, id);
        const ws = await findWorkspace(deps.sql, id);
        if (!ws || ws.project_id !== identity.projectId) throw notFound(`Workspace ${params.workspace_id} not found`);
        if (ws.deleted_at === null) throw conflict(`Workspace ${params.workspace_id} is already active (not deleted)`);
        if (await aliasUsedByOther(deps.sql, ws.project_id, ws.alias, id)) {
          throw conflict(`Cannot restore: alias '${ws.alias}' is now used by another workspace`);
        }
        // A live agent workspace needs a live repo (schema CHECK); without one the
        // agent must re-register with `bdh :init`.
        const repo = ws.repo_id
          ? await deps.sql`select 1 from server.repos where id = ${ws.repo_id} and deleted_at is null`
          : [];
        if (repo.length === 0) throw conflict("Cannot restore: the workspace's repo was deleted. Run 'bdh :init' to re-register.");
        const restoredAt = await restoreWorkspace(deps.sql, id);
        if (restoredAt === null) throw conflict(`Workspace ${params.workspace_id} is already active (not deleted)`);
        return { workspace_id: id, alias: ws.alias, restored_at: restoredAt };
      },
      {
        params: t.Object({ workspace_id: t.String() }),
        detail: describe("Restore a soft-deleted workspace (its claims are not restored)", "workspaces", { 200: WorkspaceRestored }, [401, 403, 404, 409]),
      },
    );
}
