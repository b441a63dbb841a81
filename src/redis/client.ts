// ioredis connections. Redis is a cache here: commands fail fast while it is
// down (no offline queue) so callers can treat a failure as "absent" instead of
// hanging, and the client keeps reconnecting on its own.
import Redis from "ioredis";
import { redactUrl } from "../config";
import { installTracingChannelFix } from "./tracing-channel-fix";

export { redactUrl };

installTracingChannelFix();

export type { Redis };

export interface RedisOptions {
  keyPrefix?: string;
}

export async function openRedis(url: string, options: RedisOptions = {}): Promise<Redis> {
  const redis = new Redis(url, {
    keyPrefix: options.keyPrefix || undefined,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    commandTimeout: 2000,
    // Reconnect quickly so the server recovers within ~1 s of Redis returning.
    retryStrategy: (times) => Math.min(times * 100, 500),
  });
  redis.defineCommand("hgetallmany", { lua: HGETALL_MANY_LUA });
  // Without a listener ioredis prints every connection error; callers log instead.
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  return redis;
}

// HGETALL of many keys as one command returning one JSON string: one reply to
// decode (natively, JSON.parse) instead of a command object, promise and
// timer per key and a RESP string per field (presence of 200 workspaces).
// cjson writes an empty hash as {}, a non-empty one as [field, value, ...].
const HGETALL_MANY_LUA = `
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HGETALL', key) end
return cjson.encode(out)`;

type WithHgetallMany = { hgetallmany(numKeys: number, ...keys: string[]): Promise<string> };

/** HGETALL of each key, in order; a missing key gives an empty object. */
export async function hgetallMany(redis: Redis, keys: string[]): Promise<Record<string, string>[]> {
  if (keys.length === 0) return [];
  const replies = JSON.parse(await (redis as unknown as WithHgetallMany).hgetallmany(keys.length, ...keys)) as unknown[];
  return replies.map((flat) => {
    const hash: Record<string, string> = {};
    if (!Array.isArray(flat)) return hash;
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
    return hash;
  });
}

/** Drop the password from a URL before it reaches a log line or an error. */
