// /v1/chat (issue 4) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function chatRoutes(_ctx: RouteContext) {
  return new Elysia();
}
