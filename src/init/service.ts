// POST /v1/init (beadhub's extended bootstrap, contract beadhub.md §3, aweb.md §4):
// project, agent, API key and — with a repo — the beadhub project mirror, repo
// and workspace, all in ONE transaction (a failure leaves nothing behind, not
// even the key, unlike the reference).
import type { Deps } from "../deps";
import { conflict, unprocessable } from "../http/errors";
import { mintApiKey } from "../auth/api-keys";
import { findAgentByAlias, insertAgentIfAbsent, type AgentRow } from "../agents/data";
import { liveAgentAliases, nextPrefix } from "../agents/alias-prefix";
import { ensureAwebProject, ensureServerProject } from "../projects/data";
import { ensureRepo, findReposByOrigin } from "../repos/data";
import { findWorkspace, insertWorkspace, refreshWorkspace } from "../workspaces/data";
import type { Db } from "../db/pool";

export interface InitInput {
  projectSlug: string;
  projectName: string;
  alias: string | null;
  humanName: string;
  agentType: string;
  /** Raw origin as sent, and its canonical form (both null without a repo). */
  repoOrigin: string | null;
  canonicalOrigin: string | null;
  role: string;
  hostname: string;
  workspacePath: string;
}

export interface InitResult {
  status: "ok";
  created_at: string;
  api_key: string;
  project_id: string;
  project_slug: string;
  agent_id: string;
  repo_id: string | null;
  canonical_origin: string | null;
  workspace_id: string | null;
  alias: string;
  created: boolean;
  workspace_created: boolean;
}

async function resolveSlug(deps: Deps, input: InitInput): Promise<string> {
  if (input.projectSlug !== "") return input.projectSlug;
  if (input.canonicalOrigin === null) throw unprocessable("project_slug is required");
  const repos = await findReposByOrigin(deps.sql, input.canonicalOrigin);
  if (repos.length === 0) throw unprocessable("project_not_found: repo not registered");
  return repos[0].project_slug;
}

/** Reuse the live agent with this alias or create it; concurrent inits converge. */
async function ensureAgent(tx: Db, projectId: string, alias: string, input: InitInput) {
  for (;;) {
    const existing = await findAgentByAlias(tx, projectId, alias);
    if (existing) return { agent: existing, created: false };
    const inserted = await insertAgentIfAbsent(tx, projectId, alias, input.humanName, input.agentType);
    if (inserted) return { agent: inserted, created: true };
  }
}

/** No alias and no repo: take the next bare classic name (alice, bob, …). */
async function allocateAgent(tx: Db, projectId: string, input: InitInput): Promise<AgentRow> {
  for (;;) {
    const prefix = nextPrefix(await liveAgentAliases(tx, projectId));
    if (prefix === null) throw conflict("All name prefixes are taken.");
    const inserted = await insertAgentIfAbsent(tx, projectId, prefix, input.humanName, input.agentType);
    if (inserted) return inserted;
  }
}

export async function runInit(deps: Deps, input: InitInput): Promise<InitResult> {
  const slug = await resolveSlug(deps, input);
  return deps.sql.begin(async (tx) => {
    const [{ now }] = await tx<{ now: string }[]>`select now() as now`;
    const project = await ensureAwebProject(tx, slug, input.projectName || slug);

    let alias = input.alias;
    if (alias === null && input.canonicalOrigin !== null) {
      const prefix = nextPrefix(await liveAgentAliases(tx, project.project_id));
      if (prefix === null) throw conflict("All name prefixes are taken.");
      alias = `${prefix}-${input.role.replace(/ /g, "-")}`;
    }
    const { agent, created } =
      alias === null
        ? { agent: await allocateAgent(tx, project.project_id, input), created: true }
        : await ensureAgent(tx, project.project_id, alias, input);
    const apiKey = await mintApiKey(tx, project.project_id, agent.agent_id);

    const result: InitResult = {
      status: "ok",
      created_at: now,
      api_key: apiKey,
      project_id: project.project_id,
      project_slug: project.slug,
      agent_id: agent.agent_id,
      repo_id: null,
      canonical_origin: null,
      workspace_id: null,
      alias: agent.alias,
      created,
      workspace_created: false,
    };
    if (input.canonicalOrigin === null || input.repoOrigin === null) return result;

    await ensureServerProject(tx, project);
    const repo = await ensureRepo(tx, project.project_id, input.repoOrigin, input.canonicalOrigin);
    const fields = {
      workspaceId: agent.agent_id,
      projectId: project.project_id,
      repoId: repo.id,
      alias: agent.alias,
      humanName: input.humanName,
      role: input.role,
      hostname: input.hostname,
      workspacePath: input.workspacePath,
    };
    const existing = await findWorkspace(tx, agent.agent_id);
    let workspaceCreated = false;
    if (!existing) {
      if (!(await insertWorkspace(tx, fields))) {
        throw conflict(`Alias '${agent.alias}' is already used in this project`);
      }
      workspaceCreated = true;
    } else if (existing.repo_id !== repo.id) {
      const before = existing.repo_id
        ? (await tx<{ canonical_origin: string }[]>`
            select canonical_origin from server.repos where id = ${existing.repo_id}`)[0]?.canonical_origin
        : null;
      throw conflict(
        `workspace_repo_mismatch: workspace '${agent.alias}' is registered for ${before ?? "no repo"}, ` +
          `not ${input.canonicalOrigin}. Use a different alias for this repo.`,
      );
    } else {
      await refreshWorkspace(tx, fields);
    }
    return {
      ...result,
      repo_id: repo.id,
      canonical_origin: repo.canonical_origin,
      workspace_id: agent.agent_id,
      workspace_created: workspaceCreated,
    };
  });
}
