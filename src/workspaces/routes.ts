// /v1/workspaces list/team/online/heartbeat/delete/restore (issue 5) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function workspaceRoutes(_ctx: RouteContext) {
  return new Elysia();
}
