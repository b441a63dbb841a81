// /v1/bdh/command and /v1/bdh/sync (issue 6) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function bdhRoutes(_ctx: RouteContext) {
  return new Elysia();
}
