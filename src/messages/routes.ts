// /v1/messages (issue 4) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function messageRoutes(_ctx: RouteContext) {
  return new Elysia();
}
