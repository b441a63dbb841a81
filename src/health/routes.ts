// GET /health: checks Postgres and Redis; 503 when either is down (ops probes).
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { Health } from "./model";

export function healthRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia().get(
    "/health",
    async ({ set }) => {
      const check = async (fn: () => Promise<unknown>) => {
        try {
          await fn();
          return "ok";
        } catch (err) {
          return `error: ${(err as Error).message}`;
        }
      };
      const [database, redis] = await Promise.all([check(() => deps.sql`select 1`), check(() => deps.redis.ping())]);
      const ok = database === "ok" && redis === "ok";
      if (!ok) set.status = 503;
      return { status: ok ? "ok" : "unhealthy", checks: { redis, database } };
    },
    { detail: describe("Liveness and dependency check", "ops", { 200: Health, 503: Health }) },
  );
}
