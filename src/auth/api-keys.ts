// API keys (docs/protocol/auth.md#api-keys): "aw_sk_" + 64 lower-case hex, stored only as
// the lower-hex SHA-256 of the full key plus a 12-char informational prefix.
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db/pool";
import { insertApiKey } from "./data";

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
  await insertApiKey(db, projectId, agentId, key.slice(0, 12), hashApiKey(key));
  return key;
}
