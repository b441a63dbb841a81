// One valid request per route against a World. The fuzz test mutates these:
// a mutation that breaks a valid request must make it fail, and hostile values
// put into a valid request must never cause a 5xx. Routes without an entry
// here fall back to a request derived from their schema (good enough for the
// must-fail mutations, which never depend on the rest of the request).
import { commandBody, syncBody } from "../bdh";
import type { JsonSchema, Route } from "./openapi";
import type { World } from "./world";

export interface Example {
  pathParams: Record<string, string>;
  query: Record<string, string>;
  /** JSON body; undefined = no body. */
  body?: unknown;
  /** Raw body text with its content type (wins over body). */
  raw?: { text: string; contentType: string };
  token?: string;
  /** The request deletes or retires something: the may-succeed pass points it at an unknown id instead. */
  destructive?: boolean;
}

export function pathParamDefaults(w: World): Record<string, string> {
  return {
    project_id: w.owner.project_id,
    message_id: w.messageId,
    id: w.sessionId,
    session_id: w.sessionId,
    workspace_id: w.owner.workspace_id!,
    repo_id: w.owner.repo_id!,
    policy_id: w.policyId,
    escalation_id: w.escalationId,
    subscription_id: w.subscriptionId,
    bead_id: w.beadIds[0],
  };
}

type Build = (w: World) => Omit<Example, "pathParams"> & { pathParams?: Record<string, string> };

const repoOf = (w: World) => `github.com/${w.slug}/app`;

export const EXAMPLES: Record<string, Build> = {
  "GET /health": () => ({ query: {} }),
  "GET /v1/dashboard/config": () => ({ query: {} }),
  "POST /v1/init": (w) => ({ query: {}, body: { project_slug: w.slug, alias: `fz-${crypto.randomUUID().slice(0, 8)}`, human_name: "Fuzz" } }),
  "GET /v1/auth/introspect": () => ({ query: {} }),
  "GET /v1/projects/current": () => ({ query: {} }),
  "GET /v1/projects/": () => ({ query: {} }),
  "DELETE /v1/projects/{project_id}": () => ({ query: {}, destructive: true }),
  "POST /v1/agents/suggest-alias-prefix": (w) => ({ query: {}, body: { project_slug: w.slug } }),
  "POST /v1/workspaces/suggest-name-prefix": (w) => ({ query: {}, body: { origin_url: w.origin } }),
  "POST /v1/workspaces/register": (w) => ({ query: {}, body: { repo_origin: w.origin }, token: w.loner.api_key }),
  "GET /v1/agents": () => ({ query: {} }),
  "POST /v1/agents/heartbeat": () => ({ query: {} }),
  "POST /v1/agents/register": (w) => ({
    query: {},
    body: { workspace_id: w.owner.workspace_id, alias: w.owner.alias, human_name: `Owner ${w.slug}`, program: "claude-code", repo: repoOf(w), branch: "main", role: "agent" },
  }),
  "POST /v1/messages": (w) => ({ query: {}, body: { to_alias: w.peer.alias, subject: "fuzz", body: "fuzz body" } }),
  "GET /v1/messages/inbox": () => ({ query: { unread_only: "true", limit: "10" } }),
  "POST /v1/messages/{message_id}/ack": (w) => ({ query: {}, token: w.peer.api_key }),
  "POST /v1/chat/sessions": (w) => ({ query: {}, body: { to_aliases: [w.peer.alias], message: "fuzz chat" } }),
  "GET /v1/chat/sessions": () => ({ query: {} }),
  "GET /v1/chat/pending": () => ({ query: {} }),
  "GET /v1/chat/sessions/{id}/messages": () => ({ query: { unread_only: "false", limit: "5" } }),
  "POST /v1/chat/sessions/{id}/messages": () => ({ query: {}, body: { body: "fuzz reply" } }),
  "POST /v1/chat/sessions/{id}/read": (w) => ({ query: {}, body: { up_to_message_id: w.chatMessageId }, token: w.peer.api_key }),
  "GET /v1/chat/sessions/{id}/stream": () => ({ query: { deadline: new Date(Date.now() + 1000).toISOString() } }),
  "POST /v1/reservations": () => ({ query: {}, body: { resource_key: "fuzz/lock", ttl_seconds: 60, metadata: { why: "fuzz" } } }),
  "GET /v1/reservations": () => ({ query: { prefix: "fuzz/" } }),
  "POST /v1/reservations/renew": (w) => ({ query: {}, body: { resource_key: w.reservationKey, ttl_seconds: 3600 } }),
  "POST /v1/reservations/release": () => ({ query: {}, body: { resource_key: "fuzz/lock" } }),
  "POST /v1/reservations/revoke": () => ({ query: {}, body: { prefix: "fuzz/" } }),
  "GET /v1/workspaces": (w) => ({ query: { repo: repoOf(w), include_claims: "true", include_presence: "true", limit: "10" } }),
  "GET /v1/workspaces/team": () => ({ query: { include_claims: "true", limit: "10" } }),
  "GET /v1/workspaces/online": () => ({ query: {} }),
  "POST /v1/workspaces/heartbeat": (w) => ({
    query: {},
    body: { workspace_id: w.owner.workspace_id, alias: w.owner.alias, repo_origin: w.origin, current_branch: "main", hostname: "box" },
  }),
  "DELETE /v1/workspaces/{workspace_id}": () => ({ query: {}, destructive: true }),
  "POST /v1/workspaces/{workspace_id}/restore": () => ({ query: {}, destructive: true }),
  "POST /v1/repos/lookup": (w) => ({ query: {}, body: { origin_url: w.origin } }),
  "POST /v1/repos/ensure": (w) => ({ query: {}, body: { project_id: w.owner.project_id, origin_url: w.origin } }),
  "GET /v1/repos": (w) => ({ query: { project_id: w.owner.project_id, limit: "10" } }),
  "DELETE /v1/repos/{repo_id}": () => ({ query: {}, destructive: true }),
  "GET /v1/claims": (w) => ({ query: { workspace_id: w.owner.workspace_id!, limit: "10" } }),
  // Not one of the world's bead ids: another project claiming the same string is
  // its own claim (bead ids are per project), not a leak, but it would show that marker.
  "POST /v1/claims": (w) => ({ query: {}, body: { bead_id: `${w.slug}-claimed` } }),
  "POST /v1/claims/release": (w) => ({ query: {}, body: { bead_id: `${w.slug}-claimed`, workspace_id: w.owner.workspace_id } }),
  "GET /v1/messages/sent": () => ({ query: { limit: "10" } }),
  "GET /v1/chat/monitor": (w) => ({ query: { limit: "10" }, token: w.human.api_key }),
  "GET /v1/chat/monitor/{session_id}/messages": (w) => ({ query: { limit: "10" }, token: w.human.api_key }),
  "POST /v1/reservations/force-release": (w) => ({ query: {}, body: { resource_keys: ["fuzz/lock"] }, token: w.human.api_key }),
  "GET /v1/policies/active": () => ({ query: {} }),
  "GET /v1/policies/history": () => ({ query: { limit: "5" } }),
  "POST /v1/policies/": () => ({ query: {}, body: { bundle: { invariants: [{ id: "fz", title: "Fuzz", body_md: "x" }], roles: { dev: { title: "Dev", playbook_md: "y" } }, adapters: {} } } }),
  "POST /v1/policies/reset": () => ({ query: {}, raw: { text: "null", contentType: "application/json" } }),
  "GET /v1/policies/{policy_id}": () => ({ query: {} }),
  "POST /v1/policies/{policy_id}/activate": () => ({ query: {} }),
  "POST /v1/escalations/": (w) => ({
    query: {},
    body: { workspace_id: w.owner.workspace_id, alias: w.owner.alias, subject: "fuzz", situation: "fuzzing", options: ["a", "b"], expires_in_hours: 1 },
  }),
  "GET /v1/escalations/": () => ({ query: { status: "pending", limit: "5" } }),
  "GET /v1/escalations/{escalation_id}": () => ({ query: {} }),
  "POST /v1/escalations/{escalation_id}/respond": () => ({ query: {}, body: { response: "a", note: "fuzz" } }),
  "POST /v1/subscriptions/": (w) => ({ query: {}, body: { workspace_id: w.owner.workspace_id, alias: w.owner.alias, bead_id: w.beadIds[2], repo: repoOf(w) } }),
  "GET /v1/subscriptions/": (w) => ({ query: { workspace_id: w.owner.workspace_id!, alias: w.owner.alias } }),
  "DELETE /v1/subscriptions/{subscription_id}": (w) => ({ query: { workspace_id: w.owner.workspace_id!, alias: w.owner.alias }, destructive: true }),
  "POST /v1/beads/upload": (w) => ({ query: {}, body: { repo: repoOf(w), branch: "fuzz", issues: [{ id: "fz-1", title: "Fuzz", status: "open" }] } }),
  "POST /v1/beads/upload-jsonl": (w) => ({
    query: { repo: repoOf(w), branch: "fuzz" },
    raw: { text: JSON.stringify({ id: "fz-2", title: "Fuzz", status: "open" }) + "\n", contentType: "text/plain" },
  }),
  "GET /v1/beads/issues": (w) => ({ query: { repo: repoOf(w), status: "open", limit: "5" } }),
  "GET /v1/beads/issues/{bead_id}": () => ({ query: {} }),
  "GET /v1/beads/ready": (w) => ({ query: { workspace_id: w.owner.workspace_id!, limit: "5" } }),
  "POST /v1/bdh/command": (w) => ({ query: {}, body: commandBody(w.owner, "list") }),
  "POST /v1/bdh/sync": (w) => ({
    query: {},
    body: syncBody(w.owner, { repo_origin: w.origin, changed: [{ id: `${w.slug}-fz`, title: "Fuzz", status: "open" }] }),
  }),
  "GET /v1/status": (w) => ({ query: { workspace_id: w.owner.workspace_id! } }),
  "GET /v1/status/stream": (w) => ({ query: { workspace_id: w.owner.workspace_id! } }),
  "POST /mcp": (w) => ({
    query: {},
    body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "status", arguments: { workspace_id: w.owner.workspace_id } } },
  }),
};

/** A value that satisfies a schema's type (not its meaning). */
export function sampleFor(schema: JsonSchema | undefined): unknown {
  if (!schema) return "x";
  if (schema.anyOf) return sampleFor(schema.anyOf[0]);
  switch (schema.type) {
    case "string":
      return "x".repeat(Math.max(1, schema.minLength ?? 1));
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return true;
    case "array":
      return Array.from({ length: schema.minItems ?? 0 }, () => sampleFor(schema.items));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) out[name] = sampleFor(schema.properties?.[name]);
      return out;
    }
    default:
      return "x";
  }
}

export function exampleFor(route: Route, w: World): Example {
  const build = EXAMPLES[route.key] ?? EXAMPLES[route.key.replace(/\/$/, "")];
  const defaults = pathParamDefaults(w);
  const pathParams: Record<string, string> = {};
  for (const p of route.pathParams) pathParams[p] = defaults[p] ?? "x";
  if (!build) return { pathParams, query: {}, body: route.body ? sampleFor(route.body) : undefined, token: w.owner.api_key };
  const ex = build(w);
  return { token: w.owner.api_key, ...ex, pathParams: { ...pathParams, ...ex.pathParams } };
}

export const hasExample = (route: Route) => route.key in EXAMPLES;
