// GET /health: checks Postgres and Redis; 503 when either is down (ops probes).
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { Health } from "./model";
import { checkHealth } from "./service";

export function healthRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia().get(
    "/health",
    async ({ set }) => {
      const report = await checkHealth(deps);
      if (report.status !== "ok") set.status = 503;
      return report;
    },
    { detail: describe("Liveness and dependency check", "ops", { 200: Health, 503: Health }) },
  );
}
