// GET /health: both dependencies are checked at once; a failing one is named
// with its error, and the whole answer is "unhealthy" (ops probes read 503).
import type { Deps } from "../deps";
import { pingDatabase } from "./data";
import type { HealthReport } from "./model";

async function check(probe: () => Promise<unknown>): Promise<string> {
  try {
    await probe();
    return "ok";
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

export async function checkHealth(deps: Deps): Promise<HealthReport> {
  const [database, redis] = await Promise.all([check(() => pingDatabase(deps.sql)), check(() => deps.redis.ping())]);
  const ok = database === "ok" && redis === "ok";
  return { status: ok ? "ok" : "unhealthy", checks: { redis, database } };
}
