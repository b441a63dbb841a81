// /v1/repos (issue 5) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function repoRoutes(_ctx: RouteContext) {
  return new Elysia();
}
