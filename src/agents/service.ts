// Agents (docs/protocol/agents.md): alias prefixes, the agent list with
// presence, the aw heartbeat and bdh's register. All presence goes through the
// one record per agent, presence:{agent_id} (docs/protocol/redis.md#presence): an
// aw heartbeat makes the agent online in GET /v1/agents, and so does a bdh
// register.
import type { Deps } from "../deps";
import type { Identity, RequestAuth } from "../auth/identity";
import { conflict, invalid, unprocessable } from "../http/errors";
import { nowIso } from "../http/time";
import { SLUG_RE, parseAlias, parseRole } from "../http/field-rules";
import { bodyInt } from "../http/wire";
import { isOnlineIn, readPresence, writePresence } from "../presence/presence";
import { projectBySlug } from "../projects/service";
import { verifyWorkspaceAccess } from "../workspaces/access";
import { CANDIDATES, nextPrefix } from "./alias-prefix";
import { findRegisteredWorkspace, liveAgentAliases, listLiveAgents } from "./data";
import type { AgentHeartbeatAnswer, AgentListAnswer, AgentRegisteredAnswer, AliasPrefixAnswer, RegisterInput } from "./model";

/** The next free prefix among the project's live agents, or null when all 2,600 are taken. */
export async function suggestPrefix(deps: Deps, projectId: string): Promise<string | null> {
  return nextPrefix(await liveAgentAliases(deps.sql, projectId));
}

/** POST /v1/agents/suggest-alias-prefix: an unknown slug gets the first name. */
export async function suggestAliasPrefix(deps: Deps, rawSlug: string): Promise<AliasPrefixAnswer> {
  const slug = rawSlug.trim();
  if (!SLUG_RE.test(slug)) {
    throw invalid(["body", "project_slug"], "Invalid project_slug: use 1-256 characters of letters, digits, '/', '_', '.' or '-'", rawSlug);
  }
  const project = await projectBySlug(deps, slug);
  if (!project) return { project_slug: slug, project_id: null, name_prefix: CANDIDATES[0] };
  const prefix = await suggestPrefix(deps, project.project_id);
  if (prefix === null) throw conflict("alias_exhausted");
  return { project_slug: project.slug, project_id: project.project_id, name_prefix: prefix };
}

/** GET /v1/agents: public readers allowed and not redacted (docs/protocol/agents.md). */
export async function listAgentsWithPresence(deps: Deps, identity: Identity): Promise<AgentListAnswer> {
  const { projectId } = identity;
  const rows = await listLiveAgents(deps.sql, projectId);
  const presence = await readPresence(deps, rows.map((r) => r.agent_id));
  return {
    project_id: projectId,
    agents: rows.map((r) => {
      const hash = presence.get(r.agent_id);
      const online = isOnlineIn(hash, projectId);
      return {
        ...r,
        human_name: r.human_name || null,
        agent_type: r.agent_type || null,
        status: online ? hash.status || "active" : "offline",
        last_seen: online ? hash.last_seen || null : null,
        online,
      };
    }),
  };
}

/** POST /v1/agents/heartbeat for the calling agent (actor identity). */
export async function heartbeatAgent(deps: Deps, actor: { agentId: string; alias: string; projectId: string }): Promise<AgentHeartbeatAnswer> {
  const lastSeen = await writePresence(deps, {
    workspace_id: actor.agentId,
    alias: actor.alias,
    project_id: actor.projectId,
    status: "active",
  });
  return { agent_id: actor.agentId, last_seen: lastSeen ?? nowIso(), ttl_seconds: deps.config.presenceTtlSeconds };
}

/**
 * POST /v1/agents/register: beadhub's presence refresh. The stored workspace
 * wins over the body for alias, repo and project slug, so a client cannot file
 * presence under someone else's name. Takes the request's auth (not an
 * identity) because the body's field rules answer 422 before authentication.
 */
export async function registerAgent(deps: Deps, auth: RequestAuth, body: RegisterInput): Promise<AgentRegisteredAnswer> {
  // Field rules first (pydantic order), then verify_workspace_access (docs/protocol/auth.md#workspace-checks).
  parseAlias(body.alias, ["body", "alias"]); // validated, then ignored: the stored alias wins
  const bodyRole = parseRole(body.role, ["body", "role"], null);
  const ttl =
    body.ttl_seconds === undefined || body.ttl_seconds === null
      ? deps.config.presenceTtlSeconds
      : bodyInt(body.ttl_seconds, ["body", "ttl_seconds"], 1, 86400);
  const { identity, workspace } = await verifyWorkspaceAccess(deps, auth, body.workspace_id);
  // Writing presence is a write: public readers are refused.
  await auth.requireWriter();

  const live = await findRegisteredWorkspace(deps.sql, workspace.workspace_id);
  if (!live) throw unprocessable("Workspace not found");

  const humanName = body.human_name || live.human_name || null;
  const role = bodyRole || live.role || null;
  const lastSeen = await writePresence(
    deps,
    {
      workspace_id: workspace.workspace_id,
      alias: live.alias,
      project_id: identity.projectId,
      project_slug: live.project_slug,
      repo_id: live.repo_id ?? undefined,
      human_name: humanName ?? undefined,
      member_email: "",
      program: body.program ?? undefined,
      model: body.model ?? undefined,
      current_branch: body.branch ?? undefined,
      role: role ?? undefined,
    },
    ttl,
  );

  return {
    agent: {
      alias: live.alias,
      human_name: humanName,
      project_slug: live.project_slug,
      program: body.program ?? null,
      model: body.model ?? null,
      member: null,
      repo: body.repo ?? null,
      branch: body.branch ?? null,
      role,
      // Redis down: presence is a cache, the refresh still succeeds.
      registered_at: lastSeen ?? nowIso(),
    },
    workspace: { workspace_id: workspace.workspace_id },
  };
}

// The statements other features run inside their own transaction (init's
// one-transaction join, notification mail): tx first, like writeAudit. Other
// features reach this feature's tables through here, never its data.ts.
export { findAgentByAlias, insertAgentIfAbsent, liveAgentAliases, type AgentRow } from "./data";
