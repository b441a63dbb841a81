// /v1/status and /v1/status/stream (issue 7) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function statusRoutes(_ctx: RouteContext) {
  return new Elysia();
}
