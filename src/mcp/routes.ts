// POST /mcp (issue 7) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function mcpRoutes(_ctx: RouteContext) {
  return new Elysia();
}
