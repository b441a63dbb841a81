// ioredis connections. Redis is a cache here: commands fail fast while it is
// down (no offline queue) so callers can treat a failure as "absent" instead of
// hanging, and the client keeps reconnecting on its own.
import Redis from "ioredis";
import { installTracingChannelFix } from "./tracing-channel-fix";

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

/** Drop the password from a URL before it reaches a log line or an error. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<invalid url>";
  }
}
