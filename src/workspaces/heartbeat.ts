// POST /v1/workspaces/heartbeat (contract beadhub.md §4.3): SQL first (the
// workspace row is authoritative), then presence in Redis (best effort).
import type { Deps } from "../deps";
import type { Db } from "../db/pool";
import { enforceActorBinding, type Identity } from "../auth/identity";
import { badRequest, conflict, gone, notFound } from "../http/errors";
import { writePresence } from "../presence/presence";
import { ensureServerProject, findProjectById, findServerProject } from "../projects/data";
import { ensureRepo } from "../repos/data";
import { keys } from "../redis/keys";
import { aliasHeldInClaims, aliasUsedByOther, findWorkspace } from "./data";

export interface HeartbeatInput {
  workspaceId: string;
  alias: string;
  repoOrigin: string;
  canonicalOrigin: string;
  role: string | null;
  currentBranch: string | null;
  hostname: string | null;
  workspacePath: string | null;
  humanName: string;
}

const reinit = "Run 'bdh :init' to re-register.";

export async function workspaceHeartbeat(deps: Deps, identity: Identity, input: HeartbeatInput) {
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
      const rows = await deps.sql<{ canonical_origin: string }[]>`
        select canonical_origin from server.repos
        where id = ${existing.repo_id} and project_id = ${projectId} and deleted_at is null`;
      if (!rows[0]) throw gone(`Workspace repository was deleted. ${reinit}`);
      if (rows[0].canonical_origin !== input.canonicalOrigin) {
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
    const slug = await ensureProjectMirror(tx, projectId);
    const repo = repoId ?? (await ensureRepo(tx, projectId, input.repoOrigin, input.canonicalOrigin)).id;
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

/**
 * The beadhub mirror row must exist before a workspace can reference it; an
 * agent created by a repo-less /v1/init has none yet.
 */
async function ensureProjectMirror(tx: Db, projectId: string): Promise<string> {
  const mirror = await findServerProject(tx, projectId);
  if (mirror) return mirror.slug;
  const project = await findProjectById(tx, projectId);
  if (!project) throw notFound("Project not found");
  await ensureServerProject(tx, project);
  return project.slug;
}

/** Alias taken by a live workspace, a claim of another workspace, or live presence (§4.3). */
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
 * Insert, or refresh an existing row: human_name overwritten, role only when
 * given, hostname/workspace_path only filled while still null (§4.3).
 */
async function upsertHeartbeatWorkspace(tx: Db, projectId: string, repoId: string, w: HeartbeatInput): Promise<void> {
  await tx`
    insert into server.workspaces
      (workspace_id, project_id, repo_id, alias, human_name, role, hostname, workspace_path,
       current_branch, last_seen_at, workspace_type)
    values (${w.workspaceId}, ${projectId}, ${repoId}, ${w.alias}, ${w.humanName}, ${w.role}, ${w.hostname},
            ${w.workspacePath}, ${w.currentBranch}, now(), 'agent')
    on conflict (workspace_id) do update set
      human_name = excluded.human_name,
      role = coalesce(excluded.role, server.workspaces.role),
      hostname = coalesce(server.workspaces.hostname, excluded.hostname),
      workspace_path = coalesce(server.workspaces.workspace_path, excluded.workspace_path),
      current_branch = coalesce(excluded.current_branch, server.workspaces.current_branch),
      last_seen_at = now()`;
}
