// POST /v1/init (beadhub's extended bootstrap, docs/protocol/projects.md#projects-init, docs/protocol/projects.md#projects-init):
// project, agent, API key and — with a repo — the beadhub project mirror, repo
// and workspace, all in ONE transaction (a failure leaves nothing behind, not
// even the key, unlike the reference).
import type { Deps } from "../deps";
import type { Identity } from "../auth/identity";
import { conflict, forbidden, unprocessable } from "../http/errors";
import { mintApiKey } from "../auth/api-keys";
import { findAgentByAlias, insertAgentIfAbsent, liveAgentAliases, type AgentRow } from "../agents/service";
import { nextPrefix } from "../agents/alias-prefix";
import { ensureAwebProject, ensureServerProject, findProjectBySlug } from "../projects/service";
import { ensureRepo, findRepoOriginById, findReposByOrigin } from "../repos/service";
import { transactionNow } from "./data";
import { findWorkspace, insertWorkspace, refreshWorkspace } from "../workspaces/service";
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
  /** The caller's credentials when it sent any (bdh never does): the proof for an existing alias. */
  caller: Identity | null;
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

/**
 * May this caller get a new key for the existing agent? Only with proof
 * (issue 19, docs/protocol/auth.md#init): that agent's own key, or a
 * credential of the project that is not an agent's (a project key, a proxy
 * user: a human of the project). The reference hands a key to anyone who
 * names the alias.
 */
function mayActAs(caller: Identity | null, projectId: string, agentId: string): boolean {
  if (caller === null || caller.publicReader || caller.projectDeleted || caller.projectId !== projectId) return false;
  if (caller.mode === "proxy") return caller.principalType === "u" || caller.agentId === agentId;
  return caller.agentId === null || caller.agentId === agentId;
}

/** A new agent may join an existing project unless the deployment is invite-only. */
function mayJoin(caller: Identity | null, projectId: string): boolean {
  return caller !== null && !caller.publicReader && !caller.agentDeleted && !caller.projectDeleted && caller.projectId === projectId;
}

/**
 * bdh reads "alias_exists" in the body: with its default alias it asks again
 * without one (the server then picks the next free name), with an explicit
 * alias it tells the user to choose another.
 */
const aliasExists = (alias: string) =>
  conflict(
    `alias_exists: alias '${alias}' is already taken in this project. ` +
      "Choose another alias, or authenticate as that agent to get a new key for it.",
  );

/** Reuse the live agent with this alias (with proof) or create it. */
async function ensureAgent(tx: Db, projectId: string, alias: string, input: InitInput) {
  for (;;) {
    const existing = await findAgentByAlias(tx, projectId, alias);
    if (existing) {
      if (!mayActAs(input.caller, projectId, existing.agent_id)) throw aliasExists(alias);
      return { agent: existing, created: false };
    }
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
    const now = await transactionNow(tx);
    const existed = (await findProjectBySlug(tx, slug)) !== null;
    const project = await ensureAwebProject(tx, slug, input.projectName || slug);
    // Invite-only deployments (BEADHUB_INVITE_ONLY): joining a project that
    // exists needs a credential of it; creating a new project stays open.
    if (deps.config.inviteOnly && existed && !mayJoin(input.caller, project.project_id)) {
      throw forbidden("invite_only: joining this project requires an API key of the project");
    }

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
        ? await findRepoOriginById(tx, existing.repo_id)
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
