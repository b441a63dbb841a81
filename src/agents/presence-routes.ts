// GET /v1/agents, POST /v1/agents/heartbeat, POST /v1/agents/register (issue 4) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function agentPresenceRoutes(_ctx: RouteContext) {
  return new Elysia();
}
