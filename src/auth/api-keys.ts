// API keys (contract aweb.md §2.1): "aw_sk_" + 64 lower-case hex, stored only as
// the lower-hex SHA-256 of the full key plus a 12-char informational prefix.
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db/pool";

export const API_KEY_PREFIX = "aw_sk_";

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("hex");
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Mint a new key bound to (project, agent); returns the plaintext, which is never stored. */
export async function mintApiKey(db: Db, projectId: string, agentId: string | null): Promise<string> {
  const key = generateApiKey();
  await db`
    insert into aweb.api_keys (project_id, agent_id, key_prefix, key_hash)
    values (${projectId}, ${agentId}, ${key.slice(0, 12)}, ${hashApiKey(key)})`;
  return key;
}

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
