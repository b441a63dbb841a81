// /v1/beads (issue 6) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function beadRoutes(_ctx: RouteContext) {
  return new Elysia();
}
