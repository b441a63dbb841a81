// Every Redis key, channel and TTL the server uses (docs/protocol/redis.md#redis-what-lives-there,
// docs/protocol/redis.md#redis-what-lives-there). No key string is built anywhere else. The per-deployment
// prefix (config.redisPrefix) is applied by the client (ioredis keyPrefix) for
// keys and by the event bus for channels.

/** Percent-encode every byte outside A-Za-z0-9_.-~ (stricter than encodeURIComponent). */
export function enc(part: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(part)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.\-~]/.test(ch) ? ch : "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

export const keys = {
  // beadhub workspace presence (written by register, heartbeat, command/sync touch)
  presence: (workspaceId: string) => `presence:${workspaceId}`,
  allWorkspaces: () => "idx:all_workspaces",
  projectWorkspaces: (projectId: string) => `idx:project_workspaces:${projectId}`,
  projectSlugWorkspaces: (slug: string) => `idx:project_slug_workspaces:${enc(slug)}`,
  repoWorkspaces: (repoId: string) => `idx:repo_workspaces:${repoId}`,
  branchWorkspaces: (repoId: string, branch: string) => `idx:branch_workspaces:${repoId}:${enc(branch)}`,
  aliasIndex: (projectId: string, alias: string) => `idx:alias:${projectId}:${enc(alias)}`,

  // aweb agent presence (heartbeat)
  awebPresence: (agentId: string) => `aweb:presence:${agentId}`,
  awebProjectAgents: (projectId: string) => `aweb:idx:project_agents:${projectId}`,

  // chat: who has an open stream on a session (zset member agent_id, score unix s)
  chatWaiting: (sessionId: string) => `chat:waiting:${sessionId}`,

  // POST /v1/init fixed-window rate limit
  initRateLimit: (clientIp: string) => `ratelimit:init:${clientIp}`,
} as const;

/** Pub/sub channels (prefixed by the event bus, not by ioredis). */
export const channels = {
  /** beadhub dashboard events for one workspace (docs/protocol/redis.md#redis-what-lives-there). */
  workspaceEvents: (workspaceId: string) => `events:${workspaceId}`,
  /** Wake-up for chat streams on a session, so instances need not poll fast. */
  chatSession: (sessionId: string) => `chat:session:${sessionId}`,
} as const;

export const ttl = {
  /** Secondary indexes live twice as long as the presence they point at. */
  index: (presenceTtl: number) => presenceTtl * 2,
  /** A chat waiter not refreshed for this long counts as gone (docs/protocol/redis.md#redis-what-lives-there). */
  chatWaitingSeconds: 90,
  chatWaitingRefreshSeconds: 30,
} as const;
