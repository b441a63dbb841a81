// The process-wide metrics: what every request, stream and refusal counts
// into, whichever app instance served it (tests run several apps in one
// process; a server runs one). Rendered by GET /metrics (./routes.ts) together
// with the gauges read from that app's pool and database.
import { Counter, Histogram, Registry } from "./registry";

export const registry = new Registry();

export const httpRequests = registry.add(
  new Counter("beadhub_http_requests_total", "HTTP requests answered, by method, route template and status."),
);
export const httpDuration = registry.add(
  new Histogram(
    "beadhub_http_request_duration_seconds",
    "Time from request to response (streams: to their first byte), by method and route template.",
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ),
);
export const redisErrors = registry.add(new Counter("beadhub_redis_errors_total", "Redis connection errors."));
export const rateLimitRefusals = registry.add(
  new Counter("beadhub_rate_limit_refusals_total", "Requests refused with 429, by limit."),
);

/** Open Server-Sent Events streams of this process (src/http/sse.ts keeps it). */
export const sseStreams = { open: 0 };

/** Count one request. `route` is the route template ("unmatched" for none): never the raw path. */
export function recordRequest(method: string, route: string, status: number, seconds: number): void {
  httpRequests.inc({ method, route, status: String(status) });
  httpDuration.observe({ method, route }, seconds);
}

/** Call when a request is refused by a rate limit; `limit` names which one (e.g. "init"), never a client. */
export function countRateLimitRefusal(limit: string): void {
  rateLimitRefusals.inc({ limit });
}

// Event-loop lag: a timer that should fire every INTERVAL ms records how late
// it fired. Started with the first app that serves /metrics; unref'd so it
// never keeps a process alive.
const INTERVAL_MS = 500;
let lagTimer: ReturnType<typeof setInterval> | null = null;
export const eventLoop = { lagSeconds: 0 };

export function startEventLoopProbe(): void {
  if (lagTimer) return;
  let expected = performance.now() + INTERVAL_MS;
  lagTimer = setInterval(() => {
    const now = performance.now();
    eventLoop.lagSeconds = Math.max(0, now - expected) / 1000;
    expected = now + INTERVAL_MS;
  }, INTERVAL_MS);
  lagTimer.unref();
}
