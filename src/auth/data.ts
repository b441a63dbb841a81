// The SQL behind authentication: API keys, and the project and agent a caller
// acts as. SQL only; the caching and the rules are in identity.ts.
import type { Db } from "../db/pool";
import type { CachedAgent } from "./cache";

export interface KeyRow {
  api_key_id: string;
  project_id: string;
  agent_id: string | null;
  user_id: string | null;
  /** The key's project is not soft-deleted. */
  project_live: boolean;
  /** The key has no agent, or its agent is not soft-deleted. */
  agent_live: boolean;
}

export async function insertApiKey(db: Db, projectId: string, agentId: string | null, keyPrefix: string, keyHash: string): Promise<void> {
  await db`
    insert into aweb.api_keys (project_id, agent_id, key_prefix, key_hash)
    values (${projectId}, ${agentId}, ${keyPrefix}, ${keyHash})`;
}

/** Verify by hash and stamp last_used_at in the same statement (one round-trip). */
export async function verifyKeyHash(db: Db, keyHash: string): Promise<KeyRow | null> {
  const rows = await db<KeyRow[]>`
    update aweb.api_keys set last_used_at = now()
    where api_key_id = (
      select api_key_id from aweb.api_keys
      where key_hash = ${keyHash} and is_active
      order by created_at desc
      limit 1)
    returning api_key_id, project_id, agent_id, user_id,
      exists (select 1 from aweb.projects p
              where p.project_id = api_keys.project_id and p.deleted_at is null) as project_live,
      (agent_id is null or exists (select 1 from aweb.agents a
              where a.agent_id = api_keys.agent_id and a.deleted_at is null)) as agent_live`;
  return rows[0] ?? null;
}

export async function projectExists(db: Db, projectId: string): Promise<boolean> {
  const rows = await db`
    select 1 from aweb.projects where project_id = ${projectId} and deleted_at is null`;
  return rows.length > 0;
}

/** The agent in this project; a soft-deleted one only when `includeDeleted`. */
export async function findAgent(
  db: Db,
  projectId: string,
  agentId: string,
  includeDeleted = false,
): Promise<CachedAgent | null> {
  const rows = await db<CachedAgent[]>`
    select alias, human_name, agent_type from aweb.agents
    where agent_id = ${agentId} and project_id = ${projectId}
      and (${includeDeleted} or deleted_at is null)`;
  return rows[0] ?? null;
}
