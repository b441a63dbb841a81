// Fixed-window rate limit for POST /v1/init per client IP (docs/protocol/redis.md#redis-what-lives-there).
// Fails closed: if Redis cannot answer, the caller gets a 503.
import type { Deps } from "../deps";
import { AppError, serviceUnavailable } from "../http/errors";
import { keys } from "../redis/keys";
import { countRateLimitRefusal } from "../metrics/process";

export async function enforceInitRateLimit(deps: Deps, clientIp: string): Promise<void> {
  const key = keys.initRateLimit(clientIp);
  const window = deps.config.initRateWindowSeconds;
  let count: number;
  let ttl: number;
  try {
    // One round trip, atomic: EXPIRE NX only sets the window on the first hit.
    const results = await deps.redis.multi().incr(key).expire(key, window, "NX").ttl(key).exec();
    if (!results || results.some(([err]) => err)) throw new Error("rate limit transaction failed");
    count = Number(results[0][1]);
    ttl = Number(results[2][1]);
  } catch (err) {
    deps.log.warning("init rate limit unavailable", { error: (err as Error).message });
    throw serviceUnavailable("Rate limiter unavailable, try again shortly");
  }
  if (count > deps.config.initRateLimit) {
    countRateLimitRefusal("init");
    throw new AppError(429, "Rate limit exceeded. Too many initialization requests.", {
      "Retry-After": String(ttl > 0 ? ttl : window),
    });
  }
}

/** The socket peer, or the first X-Forwarded-For hop when a trusted proxy is configured. */
export function clientIpOf(
  request: Request,
  server: { requestIP(r: Request): { address: string } | null } | null,
  trustForwardedFor: boolean,
): string {
  if (trustForwardedFor) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  return server?.requestIP(request)?.address ?? "unknown";
}
