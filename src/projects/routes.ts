// /v1/projects: the aweb "current project" plus the legacy routes bdh `:projects`
// calls (aweb.md §5; served by neither reference — docs/decisions.md).
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { forbidden, notFound } from "../http/errors";
import { describe } from "../http/openapi";
import { parseUuid } from "../http/wire";
import { CurrentProject, ProjectList, ProjectParams } from "./model";
import { findProjectById } from "./data";

export function projectRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/projects" })
    .use(authPlugin(deps))
    .get(
      "/current",
      async ({ auth }) => {
        const id = await auth.aweb();
        const project = await findProjectById(deps.sql, id.projectId);
        if (!project) throw notFound("Project not found");
        return { project_id: project.project_id, slug: project.slug, name: project.name };
      },
      { detail: describe("The project of the calling key", "projects", { 200: CurrentProject }, [401, 404]) },
    )
    .get(
      "/",
      async ({ auth }) => {
        // An OSS key sees exactly one project: its own.
        const projectId = await auth.projectId();
        const rows = await deps.sql<
          { id: string; slug: string; name: string; created_at: string; repo_count: number; workspace_count: number }[]
        >`
          select p.project_id as id, p.slug, p.name, p.created_at,
            (select count(*)::int from server.repos r where r.project_id = p.project_id and r.deleted_at is null) as repo_count,
            (select count(*)::int from server.workspaces w where w.project_id = p.project_id and w.deleted_at is null) as workspace_count
          from aweb.projects p
          where p.project_id = ${projectId} and p.deleted_at is null`;
        return { projects: rows, has_more: false, next_cursor: null };
      },
      { detail: describe("Projects visible to the caller (its own)", "projects", { 200: ProjectList }, [401]) },
    )
    .delete(
      "/:project_id",
      async ({ auth, params }) => {
        const id = parseUuid(params.project_id, ["path", "project_id"], "project_id");
        const projectId = await auth.projectId();
        if (id !== projectId || !(await findProjectById(deps.sql, id))) throw notFound("Project not found");
        throw forbidden("Deleting a project is not available to agent keys");
      },
      {
        params: ProjectParams,
        detail: describe("Delete a project (refused for agent keys)", "projects", {}, [401, 403, 404]),
      },
    );
}
