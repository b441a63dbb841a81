// Tenant isolation (issue 9 §2). Two projects full of data; for every route of
// the OpenAPI document, project B's principals (its agents' keys and a signed
// proxy principal of B) name project A's objects by id, alias, bead id, repo
// and slug. Nothing of A may come back (no A marker in an answer unless the
// request itself carried it) and none of A's rows may change. Then: a
// public-reader principal of A itself can never write.
import { afterAll, describe, expect, test } from "bun:test";
import { startTestApp } from "./support/harness";
import { readSse } from "./support/sse";
import { describeCase, makeCase, send, type Answer, type Case } from "./support/fuzz/cases";
import { projectRows } from "./support/fuzz/db-snapshot";
import { exampleFor, pathParamDefaults, type Example } from "./support/fuzz/examples";
import { queryWith } from "./support/fuzz/must-fail";
import { loadRoutes, type Route } from "./support/fuzz/openapi";
import { buildWorld, type World } from "./support/fuzz/world";
import { proxyHeaders } from "./support/proxy";

const SECRET = "isolation-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());
const A = await buildWorld(t, "iso-a");
const B = await buildWorld(t, "iso-b");
const routes = await loadRoutes(t);

/**
 * Routes outside the isolation promise, by contract (beadhub.md §2, §19.15):
 * /v1/init and suggest-alias-prefix are unauthenticated bootstrap calls that
 * join or describe a project by slug. A deployment that needs strict tenancy
 * runs with the bootstrap routes disabled (enableBootstrapRoutes=false).
 */
const BOOTSTRAP = new Set(["POST /v1/init", "POST /v1/agents/suggest-alias-prefix", "GET /health", "GET /v1/dashboard/config"]);

/** B's principals. */
const attackers: [string, Record<string, string>][] = [
  ["B owner key", { authorization: `Bearer ${B.owner.api_key}` }],
  ["B loner key (no workspace)", { authorization: `Bearer ${B.loner.api_key}` }],
  ["B proxy principal", proxyHeaders(SECRET, B.owner.project_id, B.owner.agent_id, { type: "k" })],
  // humans pass the oversight routes' check (docs/protocol/dashboard-api.md#who-is-a-human)
  ["B human key", { authorization: `Bearer ${B.human.api_key}` }],
  ["B proxy user", proxyHeaders(SECRET, B.owner.project_id, crypto.randomUUID(), { type: "u" })],
];

/** Query values that name A's objects. */
const aQuery: Record<string, string> = {
  workspace_id: A.owner.workspace_id!,
  repo_id: A.owner.repo_id!,
  project_id: A.owner.project_id,
  alias: A.owner.alias,
  human_name: `Owner ${A.slug}`,
  repo: `github.com/${A.slug}/app`,
  prefix: `${A.slug}/`,
  q: A.beadIds[0],
};

function attackCases(route: Route): Case[] {
  const out: Case[] = [];
  const aIds = pathParamDefaults(A);
  // 1. A's own example request (A's ids, aliases, beads in path, query and body), sent by B.
  const exA = exampleFor(route, A);
  // 2. B's own example request with A's ids in the path and A's values in each query parameter.
  const exB = exampleFor(route, B);
  const exBwithA: Example = { ...exB, pathParams: { ...exB.pathParams, ...Object.fromEntries(route.pathParams.map((p) => [p, aIds[p]])) } };
  for (const [who, auth] of attackers) {
    out.push(makeCase(route, exA, `${who}: A's request`, { auth }));
    if (route.pathParams.length > 0) out.push(makeCase(route, exBwithA, `${who}: A's ids in the path`, { auth }));
    for (const name of route.queryParams) {
      if (aQuery[name] !== undefined) out.push(makeCase(route, exBwithA, `${who}: query ${name} of A`, { auth, query: queryWith(route, name, aQuery[name]) }));
    }
  }
  if (route.key === "POST /mcp") {
    for (const [who, auth] of attackers) {
      for (const [tool, args] of Object.entries(mcpToolArgs(A))) {
        out.push(makeCase(route, exA, `${who}: mcp ${tool} on A`, { auth, body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: tool, arguments: args } } }));
      }
    }
  }
  return out;
}

/** MCP tool calls aimed at w's objects (docs/protocol/mcp.md#tools). */
function mcpToolArgs(w: World): Record<string, Record<string, unknown>> {
  const ws = w.owner.workspace_id;
  return {
    register_agent: { workspace_id: ws, alias: w.owner.alias },
    heartbeat: {},
    status: { workspace_id: ws },
    get_issue: { bead_id: w.beadIds[0] },
    list_claims: {},
    claim_issue: { bead_id: w.beadIds[0], workspace_id: ws },
    release_issue: { bead_id: w.beadIds[0], workspace_id: ws },
    escalate: { workspace_id: ws, subject: "x", situation: "y" },
    get_escalation: { escalation_id: w.escalationId },
    chat_history: { session_id: w.sessionId },
    chat_send: { session_id: w.sessionId, message: "hi" },
    chat_mark_read: { session_id: w.sessionId, up_to_message_id: w.messageId },
    acknowledge_message: { message_id: w.messageId },
    reply_message: { message_id: w.messageId, body: "hi" },
    send_message: { to: [w.owner.alias], body: "hi" },
    lock_release_all: {},
  };
}

/** A's markers found in the answer that the request did not carry itself. */
function leaked(c: Case, a: Answer, markers: string[]): string[] {
  const request = (decodeURIComponent(c.url) + " " + (c.body ?? "") + " " + JSON.stringify(c.headers)).toLowerCase();
  const answer = a.text.toLowerCase();
  return markers.filter((m) => answer.includes(m.toLowerCase()) && !request.includes(m.toLowerCase()));
}

const aIds = [A.owner.project_id, A.owner.agent_id, A.peer.agent_id, A.loner.agent_id, A.human.agent_id, A.owner.repo_id!, A.sessionId, A.messageId, A.policyId, A.escalationId, A.subscriptionId];

const isWrite = (r: Route) => r.method === "POST" || r.method === "DELETE" || r.method === "PUT" || r.method === "PATCH";
/** POSTs that only read (beadhub.md §5, §4.1; /mcp is judged per tool). */
const READ_ONLY_POSTS = new Set(["POST /v1/repos/lookup", "POST /v1/workspaces/suggest-name-prefix", "POST /v1/agents/suggest-alias-prefix"]);
const MCP_READ_TOOLS = new Set(["status", "get_issue", "list_claims", "get_escalation", "chat_history"]);
/** Tools that, given A's ids, must fail for anyone outside A. */
const MCP_ON_A = /mcp (register_agent|claim_issue|release_issue|escalate|get_issue|get_escalation|chat_history|chat_send|chat_mark_read|acknowledge_message|reply_message|send_message) on A/;

describe("tenant isolation matrix", () => {
  test("B's principals never read or change A's objects, on any route", async () => {
    const before = await projectRows(t.sql, A.owner.project_id);
    const problems: string[] = [];
    let count = 0;
    for (const route of routes) {
      if (BOOTSTRAP.has(route.key)) continue;
      for (const c of attackCases(route)) {
        const a = await send(t, c);
        count++;
        if (process.env.ISO_DEBUG) console.log(a.status, c.label, c.method, c.url.slice(0, 90));
        if (a.status >= 500) problems.push(`5xx: ${describeCase(c, a)}`);
        // A stream opened on A's ids would deliver A's events. (Repo and human-name
        // filters are not ids: B may own a repo with the same origin.)
        if (route.stream && a.status === 200 && aIds.some((id) => c.url.includes(id))) problems.push(`stream opened: ${describeCase(c, a)}`);
        const found = leaked(c, a, A.markers);
        if (found.length > 0) problems.push(`leaked ${found.join(", ")}: ${describeCase(c, a)}`);
        if (route.key === "POST /mcp" && a.json?.result && a.json.result.isError !== true && MCP_ON_A.test(c.label)) {
          problems.push(`mcp tool acted on A: ${describeCase(c, a)}`);
        }
      }
    }
    expect(count).toBeGreaterThan(300);
    expect(problems).toEqual([]);
    expect(await projectRows(t.sql, A.owner.project_id)).toEqual(before);
  }, 60_000);

  test("B's list routes show B's data and none of A's", async () => {
    // Positive control for the matrix above: B's own reads do return B's markers.
    const mine = await t.request("GET", "/v1/workspaces", { token: B.owner.api_key });
    expect(mine.status).toBe(200);
    expect(mine.text).toContain(B.owner.alias);
    for (const path of ["/v1/workspaces", "/v1/workspaces/team", "/v1/workspaces/online", "/v1/agents", "/v1/claims", "/v1/escalations", "/v1/status", "/v1/beads/issues", "/v1/repos", "/v1/projects", "/v1/reservations", "/v1/policies/history", "/v1/chat/sessions", "/v1/messages/inbox"]) {
      const res = await t.request("GET", path, { token: B.peer.api_key });
      expect(res.status).toBe(200);
      for (const m of A.markers) expect(res.text.includes(m) ? `${path} shows ${m}` : null).toBeNull();
    }
  });

  test("B's streams never deliver A's events", async () => {
    const open = async (path: string) => {
      const abort = new AbortController();
      const res = await t.handle.app.handle(
        new Request("http://localhost" + path, { headers: { authorization: `Bearer ${B.owner.api_key}` }, signal: abort.signal }),
      );
      expect(res.status).toBe(200);
      return readSse(res, abort);
    };
    const deadline = new Date(Date.now() + 5000).toISOString();
    const streams = [
      await open("/v1/status/stream"),
      await open(`/v1/status/stream?repo=${encodeURIComponent(`github.com/${A.slug}/app`)}`),
      await open(`/v1/chat/sessions/${B.sessionId}/stream?deadline=${encodeURIComponent(deadline)}&after=${encodeURIComponent(new Date().toISOString())}`),
    ];
    await Bun.sleep(200); // subscriptions live
    const frames: string[] = [];
    const collect = Promise.all(
      streams.map(async (s) => {
        // Until the stream ends or stays quiet for 1.5 s.
        for (;;) frames.push(await s.next(1500));
      }).map((p) => p.catch(() => {})),
    );
    // A makes noise on every channel it has; B does one thing of its own (positive control).
    const as = { token: A.owner.api_key };
    await t.request("POST", "/v1/escalations", { ...as, body: { workspace_id: A.owner.workspace_id, alias: A.owner.alias, subject: `escalation-${A.slug}`, situation: `situation of ${A.slug}` } });
    await t.request("POST", "/v1/messages", { ...as, body: { to_alias: A.peer.alias, subject: A.subject, body: `mail body of ${A.slug}` } });
    await t.request("POST", "/v1/chat/sessions", { ...as, body: { to_aliases: [A.peer.alias], message: `chat of ${A.slug}` } });
    await t.request("POST", "/v1/reservations", { ...as, body: { resource_key: `${A.slug}/x`, ttl_seconds: 60 } });
    await t.request("POST", "/v1/escalations", { token: B.owner.api_key, body: { workspace_id: B.owner.workspace_id, alias: B.owner.alias, subject: "b-own-event", situation: "x" } });
    await collect;
    for (const s of streams) s.close();
    const text = frames.join("\n");
    expect(text).toContain("b-own-event");
    for (const m of A.markers) expect(text.includes(m) ? m : null).toBeNull();
  });

  test("a public reader of A can never write: every POST/DELETE route answers 4xx and changes nothing", async () => {
    const before = await projectRows(t.sql, A.owner.project_id);
    const reader = proxyHeaders(SECRET, A.owner.project_id, A.owner.agent_id, { type: "p" });
    const problems: string[] = [];
    let writes = 0;
    for (const route of routes.filter(isWrite)) {
      if (BOOTSTRAP.has(route.key) || READ_ONLY_POSTS.has(route.key)) continue;
      if (route.key === "POST /mcp") {
        for (const [tool, args] of Object.entries(mcpToolArgs(A))) {
          if (MCP_READ_TOOLS.has(tool)) continue;
          const c = makeCase(route, exampleFor(route, A), `reader: mcp ${tool}`, { auth: reader, body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: tool, arguments: args } } });
          const a = await send(t, c);
          writes++;
          // Refused as MCP refuses: a tool result with isError (the REST 4xx text).
          if (a.status !== 200 || a.json?.result?.isError !== true) problems.push(describeCase(c, a));
        }
        continue;
      }
      const c = makeCase(route, exampleFor(route, A), "reader", { auth: reader });
      const a = await send(t, c);
      writes++;
      if (a.status < 400 || a.status >= 500 || !a.jsonOk || !("detail" in (a.json ?? {}))) problems.push(describeCase(c, a));
    }
    expect(writes).toBeGreaterThan(25);
    expect(problems).toEqual([]);
    expect(await projectRows(t.sql, A.owner.project_id)).toEqual(before);
  });

  test("a public reader's reads work and are redacted where the contract says so", async () => {
    const reader = proxyHeaders(SECRET, A.owner.project_id, A.owner.agent_id, { type: "p" });
    const ws = await t.request("GET", "/v1/workspaces", { headers: reader });
    expect(ws.status).toBe(200);
    expect(ws.body.workspaces.length).toBeGreaterThan(0);
    for (const w of ws.body.workspaces) expect([w.human_name, w.role, w.hostname, w.workspace_path]).toEqual([null, null, null, null]);
    const status = await t.request("GET", "/v1/status", { headers: reader });
    expect(status.status).toBe(200);
    expect(status.body.escalations_pending).toBe(0);
    // aweb routes refuse public readers outright (aweb.md §2.5).
    expect((await t.request("GET", "/v1/messages/inbox", { headers: reader })).status).toBe(401);
  });
});
