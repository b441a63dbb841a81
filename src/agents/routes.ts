// /v1/agents (docs/protocol/agents.md). Two mounts, kept in the order
// src/routes.ts gives them: suggest-alias-prefix (no auth) before the
// workspace bootstrap routes, the presence routes after them.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { describe } from "../http/openapi";
import { AgentHeartbeat, AgentList, AgentRegistered, AliasPrefixSuggestion, RegisterBody, SuggestAliasPrefixBody } from "./model";
import { heartbeatAgent, listAgentsWithPresence, registerAgent, suggestAliasPrefix } from "./service";

export function agentPrefixRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/agents" }).post("/suggest-alias-prefix", ({ body }) => suggestAliasPrefix(deps, body.project_slug), {
    body: SuggestAliasPrefixBody,
    detail: describe("Suggest the next free classic alias prefix in a project", "agents", { 200: AliasPrefixSuggestion }, [409]),
  });
}

export function agentPresenceRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/agents" })
    .use(authPlugin(deps))
    .get("", async ({ auth }) => listAgentsWithPresence(deps, await auth.identity()), {
      detail: describe("List the project's agents with their presence", "agents", { 200: AgentList }, [401, 403]),
    })
    .post(
      "/heartbeat",
      // No body and no content type (docs/protocol/agents.md).
      async ({ auth }) => heartbeatAgent(deps, await auth.actor()),
      { detail: describe("Report the calling agent alive", "agents", { 200: AgentHeartbeat }, [401, 403]) },
    )
    .post("/register", ({ auth, body }) => registerAgent(deps, auth, body), {
      body: RegisterBody,
      detail: describe("Refresh a workspace agent's presence (bdh)", "agents", { 200: AgentRegistered }, [401, 403, 404]),
    });
}
