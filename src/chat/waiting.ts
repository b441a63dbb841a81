// Who has an open chat stream on a session (docs/protocol/redis.md#redis-what-lives-there `chat:waiting`):
// a Redis zset per session, member agent_id, score = unix seconds of the last
// refresh. Streams refresh every 30 s; entries older than 90 s count as gone and
// are pruned when read. Shared through Redis so every server instance sees the
// streams of the others. Best effort: a Redis failure means "nobody waiting".
import type { Deps } from "../deps";
import { keys, ttl } from "../redis/keys";

const nowSeconds = () => Date.now() / 1000;

/** Add or refresh the agent as waiting on the session. */
export async function registerWaiting(deps: Deps, sessionId: string, agentId: string): Promise<void> {
  const key = keys.chatWaiting(sessionId);
  try {
    await deps.redis.multi().zadd(key, nowSeconds(), agentId).expire(key, ttl.chatWaitingSeconds).exec();
  } catch (err) {
    deps.log.warning("chat waiting register failed", { session_id: sessionId, error: (err as Error).message });
  }
}

export async function unregisterWaiting(deps: Deps, sessionId: string, agentId: string): Promise<void> {
  try {
    await deps.redis.zrem(keys.chatWaiting(sessionId), agentId);
  } catch (err) {
    deps.log.warning("chat waiting unregister failed", { session_id: sessionId, error: (err as Error).message });
  }
}

/** session_id → agent ids with a live stream; sessions nobody waits on map to an empty set. */
export async function waitingBySession(deps: Deps, sessionIds: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>(sessionIds.map((id) => [id, new Set<string>()]));
  if (sessionIds.length === 0) return out;
  const cutoff = nowSeconds() - ttl.chatWaitingSeconds;
  try {
    const p = deps.redis.pipeline();
    for (const id of sessionIds) {
      const key = keys.chatWaiting(id);
      p.zremrangebyscore(key, "-inf", `(${cutoff}`);
      p.zrange(key, "0", "-1");
    }
    const results = (await p.exec()) ?? [];
    sessionIds.forEach((id, i) => {
      const [err, members] = results[i * 2 + 1] ?? [null, []];
      if (!err && Array.isArray(members)) out.set(id, new Set(members as string[]));
    });
  } catch (err) {
    deps.log.warning("chat waiting read failed", { error: (err as Error).message });
  }
  return out;
}

export async function waitingOn(deps: Deps, sessionId: string): Promise<Set<string>> {
  return (await waitingBySession(deps, [sessionId])).get(sessionId)!;
}
