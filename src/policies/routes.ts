// /v1/policies (issue 5) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function policyRoutes(_ctx: RouteContext) {
  return new Elysia();
}
