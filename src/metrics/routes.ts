// GET /metrics: Prometheus text (docs/protocol/metrics.md). On unless
// BEADHUB_METRICS=off. It carries no tenant data, so it needs no key, like
// /health; put it behind the proxy's own rules if the port is public.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import type { Gate } from "../db/gate";
import { outboxStats, type OutboxStats } from "./data";
import { Gauge, Registry } from "./registry";
import { eventLoop, redisErrors, registry, sseStreams, startEventLoopProbe } from "./process";

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export function metricsRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  startEventLoopProbe();
  // Connection errors of this app's Redis (the in-process one never has any).
  deps.redis.on?.("error", () => redisErrors.inc());
  const gate = (deps.sql as unknown as { gate?: Gate }).gate;

  return new Elysia().get(
    "/metrics",
    async ({ set }) => {
      let outbox: OutboxStats | null = null;
      try {
        outbox = await outboxStats(deps.sql);
      } catch (err) {
        deps.log.warning("metrics: outbox query failed", { error: (err as Error).message });
      }
      const pool = gate?.stats ?? { active: 0, waiting: 0 };
      const memory = process.memoryUsage();
      const app = new Registry();
      app.add(new Gauge("beadhub_db_pool_in_use", "PostgreSQL statements or transactions holding a pool slot.").collect(() => pool.active));
      app.add(new Gauge("beadhub_db_pool_waiting", "Statements waiting for a free pool slot.").collect(() => pool.waiting));
      app.add(new Gauge("beadhub_db_pool_size", "Pool slots (BEADHUB_DB_POOL_SIZE).").collect(() => gate?.limit ?? 0));
      app.add(new Gauge("beadhub_sse_streams_open", "Open Server-Sent Events streams.").collect(() => sseStreams.open));
      app.add(
        new Gauge("beadhub_outbox_backlog", "Notification outbox rows not yet delivered, by status.").collect(() =>
          Object.entries(outbox?.byStatus ?? { pending: NaN }).map(([status, value]) => ({ labels: { status }, value })),
        ),
      );
      app.add(
        new Gauge("beadhub_outbox_oldest_age_seconds", "Age of the oldest undelivered outbox row.").collect(
          () => outbox?.oldestSeconds ?? NaN,
        ),
      );
      app.add(new Gauge("process_resident_memory_bytes", "Resident set size.").collect(() => memory.rss));
      app.add(new Gauge("process_heap_used_bytes", "JavaScript heap in use.").collect(() => memory.heapUsed));
      app.add(
        new Gauge("beadhub_event_loop_lag_seconds", "How late the last 500 ms timer fired.").collect(() => eventLoop.lagSeconds),
      );
      app.add(new Gauge("process_uptime_seconds", "Seconds since the process started.").collect(() => process.uptime()));
      set.headers["content-type"] = CONTENT_TYPE;
      return registry.render() + app.render();
    },
    {
      detail: {
        summary: "Prometheus metrics (no tenant data)",
        tags: ["ops"],
        responses: { 200: { description: "OK", content: { [CONTENT_TYPE]: { schema: { type: "string" } } } } },
      },
    },
  );
}
