// Workspace bootstrap routes bdh calls during `:init`:
//   POST /v1/workspaces/suggest-name-prefix (auth optional, beadhub.md §4.1)
//   POST /v1/workspaces/register            (Bearer agent identity, §4.2)
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { NamePrefixSuggestion, WorkspaceRegistered } from "./model";
import { authPlugin } from "../auth/plugin";
import { resolveIdentity } from "../auth/identity";
import { conflict, forbidden, notFound, unauthorized, AppError } from "../http/errors";
import { ALIAS_RE, HUMAN_NAME_RE, parseHostname, parseRole, parseWorkspacePath } from "../http/field-rules";
import { suggestPrefix } from "../agents/alias-prefix";
import { canonicalOriginOf } from "../init/routes";
import { ensureServerProject, findServerProject } from "../projects/data";
import { ensureRepo, findReposByOrigin } from "../repos/data";
import { findWorkspace, insertWorkspace } from "./data";

export function workspaceBootstrapRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/workspaces" })
    .use(authPlugin(deps))
    .post(
      "/suggest-name-prefix",
      async ({ body, request }) => {
        const co = canonicalOriginOf(body.origin_url, "origin_url");
        const headers = request.headers;
        const authenticated =
          headers.has("authorization") || (headers.has("x-bh-auth") && deps.config.internalAuthSecret !== null);
        const authProject = authenticated ? (await resolveIdentity(deps, headers, request)).projectId : null;
        const repos = await findReposByOrigin(deps.sql, co);
        let projectId: string;
        let projectSlug: string;
        let repoId: string;
        if (repos.length === 0) {
          if (!authProject) throw notFound(`Repo not registered: ${co}. Run 'bdh :init' to register.`);
          const project = await findServerProject(deps.sql, authProject);
          if (!project) throw notFound("Project not found");
          [projectId, projectSlug, repoId] = [project.id, project.slug, ""];
        } else {
          let repo = repos[0];
          if (authProject) {
            const own = repos.find((r) => r.project_id === authProject);
            if (!own) throw forbidden("Repo does not belong to your project");
            repo = own;
          } else if (repos.length > 1) {
            throw conflict(
              `Repo exists in multiple projects: ${repos.map((r) => r.project_slug).join(", ")}. ` +
                "Authenticate to choose your project.",
            );
          }
          [projectId, projectSlug, repoId] = [repo.project_id, repo.project_slug, repo.repo_id];
        }
        const prefix = await suggestPrefix(deps.sql, projectId);
        if (prefix === null) throw conflict("All name prefixes are taken.");
        return { name_prefix: prefix, project_id: projectId, project_slug: projectSlug, repo_id: repoId, canonical_origin: co };
      },
      {
        body: t.Object({ origin_url: t.String({ minLength: 1, maxLength: 2048 }) }),
        detail: describe("Suggest the next alias prefix for a repo's project", "workspaces", { 200: NamePrefixSuggestion }, [401, 403, 404, 409]),
      },
    )
    .post(
      "/register",
      async ({ body, auth }) => {
        const id = await auth.identity();
        // aweb identity only (beadhub.md §1): Bearer, bound to a live agent in a live project.
        if (id.mode !== "bearer" || !id.agentId) throw unauthorized("Invalid API key");
        const rows = await deps.sql<{ alias: string; human_name: string; project_id: string; slug: string; name: string }[]>`
          select a.alias, a.human_name, p.project_id, p.slug, p.name
          from aweb.agents a join aweb.projects p on p.project_id = a.project_id
          where a.agent_id = ${id.agentId} and a.project_id = ${id.projectId}
            and a.deleted_at is null and p.deleted_at is null`;
        const agent = rows[0];
        if (!agent) throw unauthorized("Invalid API key");
        if (!ALIAS_RE.test(agent.alias)) throw new AppError(502, "aweb returned invalid alias format");
        if (agent.human_name !== "" && !HUMAN_NAME_RE.test(agent.human_name)) {
          throw new AppError(502, "aweb returned invalid human_name format");
        }
        const co = canonicalOriginOf(body.repo_origin, "repo_origin");
        const role = parseRole(body.role ?? null, ["body", "role"], null);
        const hostname = body.hostname == null ? null : parseHostname(body.hostname, ["body", "hostname"]);
        const path = body.workspace_path == null ? null : parseWorkspacePath(body.workspace_path, ["body", "workspace_path"]);

        return deps.sql.begin(async (tx) => {
          await ensureServerProject(tx, { project_id: agent.project_id, slug: agent.slug, name: agent.name });
          const repo = await ensureRepo(tx, agent.project_id, body.repo_origin.trim(), co);
          const existing = await findWorkspace(tx, id.agentId!);
          let created = false;
          if (existing) {
            if (existing.project_id !== agent.project_id) throw conflict("Workspace already registered in another project");
            if (existing.repo_id !== repo.id) throw conflict("Workspace already registered for another repo");
            if (existing.alias !== agent.alias) throw conflict("Workspace already registered with a different alias");
            await tx`
              update server.workspaces
              set deleted_at = null, hostname = ${hostname}, workspace_path = ${path}, role = ${role},
                  human_name = ${agent.human_name}
              where workspace_id = ${id.agentId!}`;
          } else {
            const ok = await insertWorkspace(tx, {
              workspaceId: id.agentId!,
              projectId: agent.project_id,
              repoId: repo.id,
              alias: agent.alias,
              humanName: agent.human_name,
              role,
              hostname,
              workspacePath: path,
            });
            if (!ok) throw conflict(`Alias '${agent.alias}' is already used in this project`);
            created = true;
          }
          return {
            workspace_id: id.agentId!,
            project_id: agent.project_id,
            project_slug: agent.slug,
            repo_id: repo.id,
            canonical_origin: repo.canonical_origin,
            alias: agent.alias,
            human_name: agent.human_name,
            created,
          };
        });
      },
      {
        body: t.Object({
          repo_origin: t.String({ minLength: 1, maxLength: 2048 }),
          role: t.Optional(t.Nullable(t.String({ maxLength: 50 }))),
          hostname: t.Optional(t.Nullable(t.String({ maxLength: 255 }))),
          workspace_path: t.Optional(t.Nullable(t.String({ maxLength: 4096 }))),
        }),
        detail: describe("Register the calling agent's workspace in a repo", "workspaces", { 200: WorkspaceRegistered }, [401, 409]),
      },
    );
}
