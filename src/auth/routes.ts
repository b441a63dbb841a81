// GET /v1/auth/introspect (aweb.md §2.7): who does this key (or proxy context) act as?
// Keys are omitted when absent, never null.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { Introspection } from "./model";
import { authPlugin } from "./plugin";

export function authRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/auth" }).use(authPlugin(deps)).get(
    "/introspect",
    async ({ auth }) => {
      const id = await auth.aweb();
      const out: Record<string, string> = { project_id: id.projectId };
      if (id.apiKeyId) out.api_key_id = id.apiKeyId;
      if (id.agentId) {
        out.agent_id = id.agentId;
        // Enriched only when the agent lives in the key's project (deleted agents included).
        const rows = await deps.sql<{ alias: string; human_name: string; agent_type: string }[]>`
          select alias, human_name, agent_type from aweb.agents
          where agent_id = ${id.agentId} and project_id = ${id.projectId}`;
        if (rows[0]) {
          out.alias = rows[0].alias;
          out.human_name = rows[0].human_name ?? "";
          out.agent_type = rows[0].agent_type || "agent";
        }
      }
      if (id.userId) out.user_id = id.userId;
      return out;
    },
    { detail: describe("Describe the caller's identity", "auth", { 200: Introspection }, [401]) },
  );
}
