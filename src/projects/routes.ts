// /v1/projects: the aweb "current project" plus the legacy routes bdh `:projects`
// calls (docs/protocol/projects.md#projects-current; served by neither reference — docs/decisions.md).
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { describe } from "../http/openapi";
import { parseUuid } from "../http/wire";
import { CurrentProject, ProjectList, ProjectParams } from "./model";
import { currentProject, deleteProject, listOwnProjects } from "./service";

export function projectRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/projects" })
    .use(authPlugin(deps))
    .get("/current", async ({ auth }) => currentProject(deps, await auth.aweb()), {
      detail: describe("The project of the calling key", "projects", { 200: CurrentProject }, [401, 404]),
    })
    .get("/", async ({ auth }) => listOwnProjects(deps, await auth.identity()), {
      detail: describe("Projects visible to the caller (its own)", "projects", { 200: ProjectList }, [401]),
    })
    .delete(
      "/:project_id",
      async ({ auth, params }) => {
        const id = parseUuid(params.project_id, ["path", "project_id"], "project_id");
        return deleteProject(deps, await auth.identity(), id);
      },
      {
        params: ProjectParams,
        detail: describe("Delete a project (refused for agent keys)", "projects", {}, [401, 403, 404]),
      },
    );
}
