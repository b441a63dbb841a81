// Workspaces (docs/protocol/workspaces.md): bootstrap during
// `bdh :init` (suggest-name-prefix, register), the heartbeat, delete and
// restore. The workspace row in PostgreSQL is authoritative; presence in Redis
// is written after it, best effort.
import type { Deps } from "../deps";
import { enforceActorBinding, type Identity } from "../auth/identity";
import { AppError, badRequest, conflict, forbidden, gone, notFound, unauthorized } from "../http/errors";
import {
  ALIAS_RE,
  HUMAN_NAME_RE,
  parseAlias,
  parseHostname,
  parseHumanName,
  parseRole,
  parseWorkspacePath,
} from "../http/field-rules";
import { parseUuid } from "../http/wire";
import { suggestPrefix } from "../agents/service";
import { canonicalOriginOf } from "../repos/canonical-origin";
import { writePresence } from "../presence/presence";
import { ensureMirror, ensureMirrorOf, mirrorOf } from "../projects/service";
import { ensureRepoWithin, liveRepoOrigin, reposWithOrigin } from "../repos/service";
import { announceUnclaimed, dropClaimsWithin } from "../claims/service";
import { keys } from "../redis/keys";
import {
  aliasHeldInClaims,
  aliasUsedByOther,
  findAgentOfLiveProject,
  findWorkspace,
  insertWorkspace,
  refreshWorkspace,
  restoreWorkspace,
  softDeleteWorkspace,
  upsertHeartbeatWorkspace,
  type HeartbeatFields,
} from "./data";
import type {
  HeartbeatAnswer,
  HeartbeatInput,
  NamePrefixAnswer,
  RegisterWorkspaceInput,
  WorkspaceDeletedAnswer,
  WorkspaceRegisteredAnswer,
  WorkspaceRestoredAnswer,
} from "./model";

const reinit = "Run 'bdh :init' to re-register.";

/**
 * POST /v1/workspaces/suggest-name-prefix. `authProjectId` is the caller's
 * project when it authenticated (auth is optional here), else null.
 */
export async function suggestNamePrefix(deps: Deps, authProjectId: string | null, canonicalOrigin: string): Promise<NamePrefixAnswer> {
  const co = canonicalOrigin;
  const repos = await reposWithOrigin(deps, co);
  let projectId: string;
  let projectSlug: string;
  let repoId: string;
  if (repos.length === 0) {
    if (!authProjectId) throw notFound(`Repo not registered: ${co}. Run 'bdh :init' to register.`);
    const project = await mirrorOf(deps, authProjectId);
    if (!project) throw notFound("Project not found");
    [projectId, projectSlug, repoId] = [project.id, project.slug, ""];
  } else {
    let repo = repos[0];
    if (authProjectId) {
      const own = repos.find((r) => r.project_id === authProjectId);
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
  const prefix = await suggestPrefix(deps, projectId);
  if (prefix === null) throw conflict("All name prefixes are taken.");
  return { name_prefix: prefix, project_id: projectId, project_slug: projectSlug, repo_id: repoId, canonical_origin: co };
}

/** POST /v1/workspaces/register: the calling agent's workspace (workspace_id = agent_id) in a repo. */
export async function registerWorkspace(deps: Deps, id: Identity, body: RegisterWorkspaceInput): Promise<WorkspaceRegisteredAnswer> {
  // aweb identity only (docs/protocol/auth.md#aweb-identity): Bearer, bound to a live agent in a live project.
  if (id.mode !== "bearer" || !id.agentId) throw unauthorized("Invalid API key");
  const agentId = id.agentId;
  const agent = await findAgentOfLiveProject(deps.sql, agentId, id.projectId);
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
    await ensureMirror(tx, { project_id: agent.project_id, slug: agent.slug, name: agent.name });
    const repo = await ensureRepoWithin(tx, agent.project_id, body.repo_origin.trim(), co);
    const existing = await findWorkspace(tx, agentId);
    const fields = {
      workspaceId: agentId,
      projectId: agent.project_id,
      repoId: repo.id,
      alias: agent.alias,
      humanName: agent.human_name,
      role,
      hostname,
      workspacePath: path,
    };
    let created = false;
    if (existing) {
      if (existing.project_id !== agent.project_id) throw conflict("Workspace already registered in another project");
      if (existing.repo_id !== repo.id) throw conflict("Workspace already registered for another repo");
      if (existing.alias !== agent.alias) throw conflict("Workspace already registered with a different alias");
      await refreshWorkspace(tx, fields);
    } else {
      if (!(await insertWorkspace(tx, fields))) throw conflict(`Alias '${agent.alias}' is already used in this project`);
      created = true;
    }
    return {
      workspace_id: agentId,
      project_id: agent.project_id,
      project_slug: agent.slug,
      repo_id: repo.id,
      canonical_origin: repo.canonical_origin,
      alias: agent.alias,
      human_name: agent.human_name,
      created,
    };
  });
}

export interface ParsedHeartbeat extends HeartbeatFields {
  repoOrigin: string;
  canonicalOrigin: string;
}

/** "" → null, so hostname/workspace_path stay fillable later (heartbeat only fills nulls). */
const blankToNull = (v: string): string | null => (v === "" ? null : v);

/** The heartbeat body's field rules; they answer 422 before authentication does. */
export function parseHeartbeat(body: HeartbeatInput): ParsedHeartbeat {
  const workspaceId = parseUuid(body.workspace_id, ["body", "workspace_id"], "workspace_id");
  const alias = parseAlias(body.alias, ["body", "alias"]);
  const canonicalOrigin = canonicalOriginOf(body.repo_origin, "repo_origin");
  return {
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
}

/** POST /v1/workspaces/heartbeat: SQL first (authoritative), then presence (best effort). */
export async function workspaceHeartbeat(deps: Deps, identity: Identity, input: ParsedHeartbeat): Promise<HeartbeatAnswer> {
  const { workspaceId: id, alias } = input;
  const projectId = identity.projectId;
  enforceActorBinding(identity, id);

  // Checked up front so the immutability trigger never turns a mismatch into a 500.
  let repoId: string | null = null;
  const existing = await findWorkspace(deps.sql, id);
  if (existing) {
    if (existing.deleted_at !== null) throw gone(`Workspace was deleted. ${reinit}`);
    if (existing.project_id !== projectId) {
      throw badRequest(
        `Workspace ${id} does not belong to this project. ` +
          "This may indicate a corrupted .beadhub file. Try running 'bdh :init' again.",
      );
    }
    if (existing.alias !== alias) {
      throw conflict(`Alias mismatch for workspace ${id} (expected '${existing.alias}', got '${alias}'). ${reinit}`);
    }
    if (existing.repo_id !== null) {
      const origin = await liveRepoOrigin(deps, projectId, existing.repo_id);
      if (origin === null) throw gone(`Workspace repository was deleted. ${reinit}`);
      if (origin !== input.canonicalOrigin) {
        throw badRequest(
          "Repo mismatch: workspace is registered with a different repository. " +
            "This may indicate a corrupted .beadhub file. Run 'bdh :init' again.",
        );
      }
      repoId = existing.repo_id;
    }
  }
  if (repoId === null && (await aliasCollides(deps, projectId, alias, id))) {
    throw conflict(
      `Alias '${alias}' is already used by another workspace in this project. ` +
        "Please choose a different alias and run 'bdh :init' again.",
    );
  }

  const { slug, repo } = await deps.sql.begin(async (tx) => {
    const slug = await ensureMirrorOf(tx, projectId);
    const repo = repoId ?? (await ensureRepoWithin(tx, projectId, input.repoOrigin, input.canonicalOrigin)).id;
    await upsertHeartbeatWorkspace(tx, projectId, repo, input);
    return { slug, repo };
  });

  await writePresence(deps, {
    workspace_id: id,
    alias,
    project_id: projectId,
    project_slug: slug,
    repo_id: repo,
    human_name: input.humanName,
    member_email: "",
    program: "bdh",
    model: "",
    current_branch: input.currentBranch ?? undefined,
    role: input.role ?? undefined,
  });
  return { ok: true, workspace_id: id };
}

/** Alias taken by a live workspace, a claim of another workspace, or live presence (docs/protocol/workspaces.md#workspaces-heartbeat). */
async function aliasCollides(deps: Deps, projectId: string, alias: string, workspaceId: string): Promise<boolean> {
  if (await aliasUsedByOther(deps.sql, projectId, alias, workspaceId)) return true;
  if (await aliasHeldInClaims(deps.sql, projectId, alias, workspaceId)) return true;
  try {
    const aliasKey = keys.aliasIndex(projectId, alias);
    const holder = await deps.redis.get(aliasKey);
    if (!holder || holder === workspaceId) return false;
    if ((await deps.redis.exists(keys.presence(holder))) > 0) return true;
    await deps.redis.del(aliasKey); // stale: its presence expired
  } catch {
    // Redis is a cache: unreachable means "no collision known".
  }
  return false;
}

/**
 * DELETE /v1/workspaces/{workspace_id}: any project member may clean up a peer
 * (no actor binding). `shownId` is the id as the caller wrote it, for the 404s.
 */
export async function deleteWorkspace(deps: Deps, identity: Identity, id: string, shownId: string): Promise<WorkspaceDeletedAnswer> {
  const ws = await findWorkspace(deps.sql, id);
  if (!ws || ws.project_id !== identity.projectId) throw notFound(`Workspace ${shownId} not found`);
  const deleted = await deps.sql.begin(async (tx) => {
    // The update locks the workspace row, which every claim write locks
    // first: a claim racing this delete either commits before it (and is
    // deleted below) or sees the workspace deleted (issue 19, defect 3).
    const at = await softDeleteWorkspace(tx, id);
    // Soft delete does not fire the FK cascade; claims go now, and also on
    // a second DELETE, so no leftover can outlive it. Presence stays
    // until its TTL (docs/protocol/workspaces.md#workspaces-delete).
    return { at, claims: await dropClaimsWithin(tx, [id]) };
  });
  await announceUnclaimed(deps, identity.projectId, deleted.claims, { event: { reason: "workspace_deleted" } });
  if (deleted.at === null) throw notFound(`Workspace ${shownId} is already deleted`);
  return { workspace_id: id, alias: ws.alias, deleted_at: deleted.at };
}

/** POST /v1/workspaces/{workspace_id}/restore: the caller's own workspace (actor binding). */
export async function restoreOwnWorkspace(deps: Deps, identity: Identity, id: string, shownId: string): Promise<WorkspaceRestoredAnswer> {
  enforceActorBinding(identity, id);
  const ws = await findWorkspace(deps.sql, id);
  if (!ws || ws.project_id !== identity.projectId) throw notFound(`Workspace ${shownId} not found`);
  if (ws.deleted_at === null) throw conflict(`Workspace ${shownId} is already active (not deleted)`);
  if (await aliasUsedByOther(deps.sql, ws.project_id, ws.alias, id)) {
    throw conflict(`Cannot restore: alias '${ws.alias}' is now used by another workspace`);
  }
  // A live agent workspace needs a live repo (schema CHECK); without one the
  // agent must re-register with `bdh :init`.
  const repoOrigin = ws.repo_id ? await liveRepoOrigin(deps, ws.project_id, ws.repo_id) : null;
  if (repoOrigin === null) throw conflict("Cannot restore: the workspace's repo was deleted. Run 'bdh :init' to re-register.");
  const restoredAt = await restoreWorkspace(deps.sql, id);
  if (restoredAt === null) throw conflict(`Workspace ${shownId} is already active (not deleted)`);
  return { workspace_id: id, alias: ws.alias, restored_at: restoredAt };
}

// The statements other features run inside their own transaction (init's
// one-transaction join, notification mail): tx first, like writeAudit. Other
// features reach this feature's tables through here, never its data.ts.
export { findWorkspace, insertWorkspace, refreshWorkspace, softDeleteWorkspacesOfRepo } from "./data";
