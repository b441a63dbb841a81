// /v1/agents — list with presence, heartbeat, register (aweb.md §6, beadhub.md §6).
// All three use the one presence record per agent, presence:{agent_id}
// (aweb.md §11, last paragraph): an aw heartbeat makes the agent online in
// GET /v1/agents, and so does a bdh register.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { nowIso } from "../http/time";
import { isOnlineIn, readPresence, writePresence } from "../presence/presence";
import { listLiveAgents } from "./data";
import { RegisterBody, registerAgent } from "./register";
import { describe } from "../http/openapi";
import { AgentHeartbeat, AgentList, AgentRegistered } from "./model";

export function agentPresenceRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/agents" })
    .use(authPlugin(deps))
    .get(
      "",
      async ({ auth }) => {
        // beadhub serves this one: public readers allowed and not redacted (aweb.md §2.5).
        const { projectId } = await auth.identity();
        const rows = await listLiveAgents(deps.sql, projectId);
        const presence = await readPresence(deps, rows.map((r) => r.agent_id));
        return {
          project_id: projectId,
          agents: rows.map((r) => {
            const hash = presence.get(r.agent_id);
            const online = isOnlineIn(hash, projectId);
            return {
              agent_id: r.agent_id,
              alias: r.alias,
              human_name: r.human_name || null,
              agent_type: r.agent_type || null,
              status: online ? hash.status || "active" : "offline",
              last_seen: online ? hash.last_seen || null : null,
              online,
            };
          }),
        };
      },
      { detail: describe("List the project's agents with their presence", "agents", { 200: AgentList }, [401, 403]) },
    )
    .post(
      "/heartbeat",
      async ({ auth }) => {
        // No body and no content type (aweb.md §12.13).
        const actor = await auth.actor();
        const lastSeen = await writePresence(deps, {
          workspace_id: actor.agentId,
          alias: actor.alias,
          project_id: actor.projectId,
          status: "active",
        });
        return {
          agent_id: actor.agentId,
          last_seen: lastSeen ?? nowIso(),
          ttl_seconds: deps.config.presenceTtlSeconds,
        };
      },
      { detail: describe("Report the calling agent alive", "agents", { 200: AgentHeartbeat }, [401, 403]) },
    )
    .post("/register", ({ auth, body }) => registerAgent(deps, auth, body), {
      body: RegisterBody,
      detail: describe("Refresh a workspace agent's presence (bdh)", "agents", { 200: AgentRegistered }, [401, 403, 404]),
    });
}
