// /v1/subscriptions (issue 5) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function subscriptionRoutes(_ctx: RouteContext) {
  return new Elysia();
}
