// Workspace/agent presence in Redis (docs/protocol/redis.md#presence).
// Redis is a cache: every reader treats a failure or a missing key as
// "offline", never as an error. One record per workspace (= agent):
// beadhub's register, command/sync touches and aweb's heartbeat all write
// presence:{id}, which GET /v1/agents and the workspace lists read
// (docs/protocol/redis.md#presence, docs/decisions.md).
import type { Deps } from "../deps";
import { nowIso } from "../http/time";
import { hgetallMany } from "../redis/client";
import { keys, ttl as ttls } from "../redis/keys";

export type PresenceHash = Record<string, string>;

export interface PresenceWrite {
  workspace_id: string;
  alias: string;
  project_id: string;
  human_name?: string;
  project_slug?: string;
  repo_id?: string;
  member_email?: string;
  program?: string;
  model?: string;
  current_branch?: string;
  role?: string;
  status?: string;
}

/** Write (merge) a presence record and its secondary indexes; returns last_seen. */
export async function writePresence(deps: Deps, p: PresenceWrite, ttlSeconds = deps.config.presenceTtlSeconds): Promise<string | null> {
  const lastSeen = nowIso();
  const fields: PresenceHash = { status: "active", ...definedStrings(p), last_seen: lastSeen };
  const idxTtl = ttls.index(ttlSeconds);
  const key = keys.presence(p.workspace_id);
  const m = deps.redis.multi();
  m.hset(key, fields).expire(key, ttlSeconds);
  const addTo = (setKey: string) => m.sadd(setKey, p.workspace_id).expire(setKey, idxTtl);
  addTo(keys.allWorkspaces());
  addTo(keys.projectWorkspaces(p.project_id));
  if (p.project_slug) addTo(keys.projectSlugWorkspaces(p.project_slug));
  if (p.repo_id) addTo(keys.repoWorkspaces(p.repo_id));
  if (p.repo_id && p.current_branch) addTo(keys.branchWorkspaces(p.repo_id, p.current_branch));
  if (p.alias) m.set(keys.aliasIndex(p.project_id, p.alias), p.workspace_id, "EX", idxTtl);
  try {
    await m.exec();
    return lastSeen;
  } catch (err) {
    deps.log.warning("presence write failed", { error: (err as Error).message });
    return null;
  }
}

function definedStrings(p: PresenceWrite): PresenceHash {
  const out: PresenceHash = {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === "string" && (v !== "" || k === "member_email" || k === "model")) out[k] = v;
  }
  return out;
}

/** Presence hashes for these ids (missing ones absent from the map). Never throws. */
export async function readPresence(deps: Deps, ids: string[]): Promise<Map<string, PresenceHash>> {
  const out = new Map<string, PresenceHash>();
  if (ids.length === 0) return out;
  try {
    const hashes = await hgetallMany(deps.redis, ids.map(keys.presence));
    hashes.forEach((hash, i) => {
      if (Object.keys(hash).length > 0) out.set(ids[i], hash);
    });
  } catch (err) {
    deps.log.warning("presence read failed", { error: (err as Error).message });
  }
  return out;
}

/** Members of an index set whose presence still exists; stale members are pruned. */
async function liveMembers(deps: Deps, setKey: string): Promise<Map<string, PresenceHash>> {
  try {
    const ids = await deps.redis.smembers(setKey);
    const present = await readPresence(deps, ids);
    const stale = ids.filter((id) => !present.has(id));
    if (stale.length > 0) deps.redis.srem(setKey, ...stale).catch(() => {});
    return present;
  } catch (err) {
    deps.log.warning("presence index read failed", { error: (err as Error).message });
    return new Map();
  }
}

export const projectPresence = (deps: Deps, projectId: string) => liveMembers(deps, keys.projectWorkspaces(projectId));

/** Remove a workspace's presence (repo delete). Returns whether a record existed. */
export async function clearPresence(deps: Deps, workspaceId: string): Promise<boolean> {
  try {
    const [[, removed]] = (await deps.redis
      .multi()
      .del(keys.presence(workspaceId))
      .srem(keys.allWorkspaces(), workspaceId)
      .exec()) as [Error | null, number][];
    return Number(removed) > 0;
  } catch {
    return false;
  }
}

/** Is this presence record online for this project (docs/protocol/agents.md)? */
export function isOnlineIn(hash: PresenceHash | undefined, projectId: string): hash is PresenceHash {
  return hash !== undefined && hash.project_id === projectId;
}
