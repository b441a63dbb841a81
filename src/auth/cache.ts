// Short-lived, per-process caches for the two lookups every authenticated
// request would otherwise pay a database round-trip for: the API key (by hash)
// and the agent it acts as. Entries live config.authCacheSeconds, so a revoked
// key or a removed agent stops working on every instance within that time.
import type { AgentRow } from "../agents/service";
import type { KeyRow } from "./data";

export class TtlCache<V> {
  private entries = new Map<string, { value: V; expires: number }>();
  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    // A crude bound: dropping everything at the cap costs one round-trip per
    // active caller, and keeps a flood of distinct keys from growing memory.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
  }
}

/** What a request needs of its acting agent: the stored row's names and type. */
export type CachedAgent = Pick<AgentRow, "alias" | "human_name" | "agent_type">;

export interface AuthCache {
  /** Verified API keys by SHA-256 hash. */
  keys: TtlCache<KeyRow>;
  /** Live agents by "project_id:agent_id". */
  agents: TtlCache<CachedAgent>;
}

export function createAuthCache(ttlSeconds: number): AuthCache {
  return { keys: new TtlCache(ttlSeconds * 1000), agents: new TtlCache(ttlSeconds * 1000) };
}
