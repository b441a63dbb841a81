// GET /v1/claims (issue 5) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function claimRoutes(_ctx: RouteContext) {
  return new Elysia();
}
