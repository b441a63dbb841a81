// GET /health: the shape ops probes read.
import { t } from "elysia";

/** "ok", or "error: <message>" for a dependency that did not answer. */
const Check = t.String();

export const Health = t.Object({
  status: t.UnionEnum(["ok", "unhealthy"]),
  checks: t.Object({ redis: Check, database: Check }),
});
