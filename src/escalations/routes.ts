// /v1/escalations (issue 5) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function escalationRoutes(_ctx: RouteContext) {
  return new Elysia();
}
