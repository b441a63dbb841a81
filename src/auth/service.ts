// What GET /v1/auth/introspect answers (docs/protocol/auth.md#introspection).
import type { Deps } from "../deps";
import { findAgent } from "./data";
import type { Identity } from "./identity";
import type { Introspection } from "./model";

/** Keys are omitted when absent, never null. Enriched only when the agent lives in the key's project (deleted agents included). */
export async function introspect(deps: Deps, id: Identity): Promise<Introspection> {
  const out: Record<string, string> = { project_id: id.projectId };
  if (id.apiKeyId) out.api_key_id = id.apiKeyId;
  if (id.agentId) {
    out.agent_id = id.agentId;
    const agent = await findAgent(deps.sql, id.projectId, id.agentId, true);
    if (agent) {
      out.alias = agent.alias;
      out.human_name = agent.human_name ?? "";
      out.agent_type = agent.agent_type || "agent";
    }
  }
  if (id.userId) out.user_id = id.userId;
  return out as Introspection;
}
