// POST /mcp (contract beadhub.md §16.5): the JSON-RPC envelope and its errors,
// and every tool's success path, each compared with its REST twin.
import { afterAll, describe, expect, test } from "bun:test";
import { readPresence } from "../src/presence/presence";
import { signProxyMessage } from "../src/auth/proxy";
import { initAgent, startTestApp, type Agent } from "./support/harness";

const SECRET = "mcp-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const alice = await initAgent(t, { project_slug: "mcp", alias: "alice", human_name: "Alice" });
const bob = await initAgent(t, { project_slug: "mcp", alias: "bob", human_name: "Bob" });
const gone = await initAgent(t, { project_slug: "mcp", alias: "gone" });
const olga = await initAgent(t, { project_slug: "mcp-other", alias: "olga" });
await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${gone.workspace_id}`;

function rpc(body: unknown, a: Agent | null = alice, headers: Record<string, string> = {}) {
  return t.request("POST", "/mcp", { body, token: a?.api_key, headers });
}

const call = (name: string, args: Record<string, unknown>, a: Agent | null = alice, id: unknown = 1) =>
  rpc({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } }, a);

/** The tool's JSON payload, after checking the result envelope. */
async function result(name: string, args: Record<string, unknown>, a: Agent | null = alice): Promise<any> {
  const res = await call(name, args, a, 7);
  expect(res.status).toBe(200);
  expect(res.body.error).toBeUndefined();
  expect(res.body).toEqual({ jsonrpc: "2.0", id: 7, result: { content: [{ type: "text", text: expect.any(String) }] } });
  return JSON.parse(res.body.result.content[0].text);
}

async function error(name: string, args: Record<string, unknown>, a: Agent | null = alice) {
  const res = await call(name, args, a, "req-1");
  expect(res.status).toBe(200);
  expect(res.body.result).toBeUndefined();
  expect(res.body.jsonrpc).toBe("2.0");
  expect(res.body.id).toBe("req-1");
  return res.body.error as { code: number; message: string };
}

describe("POST /mcp: the JSON-RPC envelope", () => {
  test("a body that is not a JSON object is a 422", async () => {
    const cases: [string, string][] = [
      ["[1, 2]", "dict_type"],
      ['"tools/call"', "dict_type"],
      ["{nope", "json_invalid"],
      ["", "missing"],
    ];
    for (const [raw, type] of cases) {
      const res = await t.request("POST", "/mcp", { raw, token: alice.api_key, headers: { "content-type": "application/json" } });
      expect({ raw, status: res.status }).toEqual({ raw, status: 422 });
      expect(res.body.detail[0]).toMatchObject({ type, loc: ["body"] });
    }
  });

  test("protocol errors are HTTP 200 with JSON-RPC codes, echoing the id", async () => {
    const cases: [unknown, unknown, number, string][] = [
      [{ jsonrpc: "1.0", id: 1, method: "tools/call" }, 1, -32600, "Invalid jsonrpc version"],
      [{ id: "a", method: "tools/call" }, "a", -32600, "Invalid jsonrpc version"],
      [{ jsonrpc: "2.0", id: 2, method: "tools/list" }, 2, -32601, "Method not found"],
      [{ jsonrpc: "2.0", method: "initialize" }, null, -32601, "Method not found"],
      [{ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: 5 } }, 3, -32602, "Tool name must be a string"],
      [{ jsonrpc: "2.0", id: 4, method: "tools/call" }, 4, -32602, "Tool name must be a string"],
      [{ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "status", arguments: [1] } }, 5, -32602, "Tool arguments must be an object"],
      [{ jsonrpc: "2.0", id: 6, method: "tools/call", params: ["status"] }, 6, -32602, "Params must be an object"],
      [{ jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "rm_rf" } }, 8, -32601, "Unknown tool: rm_rf"],
      [{ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "toString" } }, 9, -32601, "Unknown tool: toString"],
    ];
    for (const [body, id, code, message] of cases) {
      const res = await rpc(body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ jsonrpc: "2.0", id, error: { code, message } });
    }
  });

  test("HTTP-style failures become error.code = status, message = detail", async () => {
    expect(await error("status", {}, alice)).toEqual({ code: 422, message: "workspace_id is required" });
    expect(await error("status", { workspace_id: "nope" })).toEqual({ code: 422, message: "Invalid workspace_id format" });
    expect(await error("status", { workspace_id: alice.workspace_id }, null)).toEqual({ code: 401, message: "Authentication required" });
    expect(await error("status", { workspace_id: "00000000-0000-4000-8000-000000000000" })).toEqual({ code: 404, message: "Workspace not found" });
    expect(await error("status", { workspace_id: gone.workspace_id })).toEqual({ code: 410, message: "Workspace was deleted" });
    expect(await error("status", { workspace_id: olga.workspace_id })).toEqual({
      code: 403,
      message: "Workspace not found or does not belong to your project",
    });
    expect(await error("status", { workspace_id: bob.workspace_id })).toEqual({
      code: 403,
      message: "workspace_id does not match API key identity",
    });
  });
});

describe("POST /mcp: tools", () => {
  test("register_agent writes presence with the given alias; list_agents reads the project's presence", async () => {
    expect(await result("register_agent", { workspace_id: alice.workspace_id, alias: "alice-mcp", program: "codex", model: "m1", role: "Reviewer" })).toEqual({ ok: true });
    const p = (await readPresence(t.handle.deps, [alice.workspace_id!])).get(alice.workspace_id!);
    expect(p).toMatchObject({ workspace_id: alice.workspace_id, alias: "alice-mcp", project_id: alice.project_id, program: "codex", model: "m1", role: "reviewer", status: "active" });
    const ttl = await t.redis.ttl(`presence:${alice.workspace_id}`);
    expect(ttl).toBeGreaterThan(1790);
    expect(ttl).toBeLessThanOrEqual(1800);

    expect(await error("register_agent", { workspace_id: alice.workspace_id })).toEqual({ code: 422, message: "workspace_id and alias are required" });
    expect(await error("register_agent", { workspace_id: bob.workspace_id, alias: "x" })).toMatchObject({ code: 403 });

    const listed = await result("list_agents", { workspace_id: alice.workspace_id });
    expect(listed.agents).toEqual([expect.objectContaining({ workspace_id: alice.workspace_id, alias: "alice-mcp" })]);
    // another project's list never includes alice
    await result("register_agent", { workspace_id: olga.workspace_id, alias: "olga" }, olga);
    expect((await result("list_agents", { workspace_id: olga.workspace_id }, olga)).agents.map((a: any) => a.alias)).toEqual(["olga"]);
  });

  test("status is GET /v1/status?workspace_id=", async () => {
    const payload = await result("status", { workspace_id: alice.workspace_id });
    const rest = await t.request("GET", `/v1/status?workspace_id=${alice.workspace_id}`, { token: alice.api_key });
    expect(payload).toEqual({ ...rest.body, timestamp: expect.any(String) });
    expect(payload.workspace).toEqual({ workspace_id: alice.workspace_id, project_id: alice.project_id, project_slug: "mcp" });
  });

  test("get_ready_issues and get_issue are the beads routes", async () => {
    const up = await t.request("POST", "/v1/beads/upload", {
      token: alice.api_key,
      body: {
        repo: "github.com/acme/app",
        issues: [
          { id: "mc-1", title: "Ready one", status: "open", priority: 1, issue_type: "task" },
          { id: "mc-2", title: "Ready two", status: "open", priority: 2, issue_type: "bug" },
          { id: "mc-3", title: "Done", status: "closed", priority: 0, issue_type: "task" },
        ],
      },
    });
    expect(up.status).toBe(200);
    const ready = await result("get_ready_issues", { workspace_id: alice.workspace_id, limit: "1" });
    const rest = await t.request("GET", `/v1/beads/ready?workspace_id=${alice.workspace_id}&limit=1`, { token: alice.api_key });
    expect(rest.status).toBe(200);
    expect(ready).toEqual(rest.body);
    expect(ready.issues.map((i: any) => i.bead_id)).toEqual(["mc-1"]);
    const all = await result("get_ready_issues", { workspace_id: alice.workspace_id, repo: "github.com/acme/app" });
    expect(all.issues.map((i: any) => i.bead_id)).toEqual(["mc-1", "mc-2"]);
    expect(await error("get_ready_issues", { workspace_id: alice.workspace_id, limit: "many" })).toEqual({ code: 422, message: "limit must be an integer" });

    const issue = await result("get_issue", { bead_id: "mc-2" });
    const restIssue = await t.request("GET", "/v1/beads/issues/mc-2", { token: alice.api_key });
    expect(issue).toEqual(restIssue.body);
    expect(issue).toMatchObject({ bead_id: "mc-2", title: "Ready two", project_id: alice.project_id });
    expect(await error("get_issue", { bead_id: "mc-404" })).toEqual({ code: 404, message: "Issue not found" });
    expect(await error("get_issue", {})).toEqual({ code: 422, message: "bead_id is required" });
    // project-scoped: olga cannot read alice's issue
    expect(await error("get_issue", { bead_id: "mc-2" }, olga)).toEqual({ code: 404, message: "Issue not found" });
  });

  test("subscribe_to_bead, list_subscriptions, unsubscribe use the workspace's own alias", async () => {
    const sub = await result("subscribe_to_bead", { workspace_id: alice.workspace_id, bead_id: "mc-1", repo: "github.com/acme/app" });
    expect(sub).toEqual({
      subscription_id: expect.any(String),
      workspace_id: alice.workspace_id,
      alias: "alice",
      bead_id: "mc-1",
      repo: "github.com/acme/app",
      event_types: ["status_change"],
      created_at: expect.any(String),
    });
    const listed = await result("list_subscriptions", { workspace_id: alice.workspace_id });
    expect(listed).toEqual({ subscriptions: [expect.objectContaining({ subscription_id: sub.subscription_id })], count: 1 });
    expect(await error("subscribe_to_bead", { workspace_id: alice.workspace_id, bead_id: "has.dot" })).toEqual({
      code: 400,
      message: "Invalid bead_id format: has.dot",
    });
    expect(await error("subscribe_to_bead", { workspace_id: alice.workspace_id })).toEqual({ code: 422, message: "workspace_id and bead_id are required" });

    expect(await result("unsubscribe", { workspace_id: alice.workspace_id, subscription_id: sub.subscription_id })).toEqual({
      subscription_id: sub.subscription_id,
      deleted: true,
    });
    expect(await error("unsubscribe", { workspace_id: alice.workspace_id, subscription_id: sub.subscription_id })).toEqual({
      code: 404,
      message: "Subscription not found",
    });
    expect((await result("list_subscriptions", { workspace_id: alice.workspace_id })).count).toBe(0);
  });

  test("escalate is POST /v1/escalations; get_escalation reads it back", async () => {
    const created = await result("escalate", {
      workspace_id: alice.workspace_id,
      alias: "alice",
      subject: "Pick a database",
      situation: "two candidates",
      options: ["pg", "sqlite"],
    });
    expect(created).toEqual({ escalation_id: expect.any(String), status: "pending", created_at: expect.any(String), expires_at: expect.any(String) });
    const detail = await result("get_escalation", { escalation_id: created.escalation_id });
    expect(detail).toMatchObject({ escalation_id: created.escalation_id, alias: "alice", subject: "Pick a database", options: ["pg", "sqlite"], status: "pending" });
    expect(await error("escalate", { workspace_id: alice.workspace_id, alias: "bob", subject: "s", situation: "x" })).toEqual({
      code: 403,
      message: "Alias does not match workspace_id",
    });
    const invalid = await error("escalate", { workspace_id: alice.workspace_id, alias: "alice" });
    expect(invalid.code).toBe(422);
    expect(JSON.parse(invalid.message)).toEqual(expect.arrayContaining([expect.objectContaining({ loc: ["body", "subject"] })]));
    expect(await error("get_escalation", { escalation_id: "00000000-0000-4000-8000-000000000000" })).toEqual({ code: 404, message: "Escalation not found" });
    expect(await error("get_escalation", { escalation_id: created.escalation_id }, olga)).toEqual({ code: 404, message: "Escalation not found" });
  });

  test("proxy-authenticated calls carry the signed headers through to the REST route", async () => {
    const message = `v2:${alice.project_id}:k:${crypto.randomUUID()}:${alice.agent_id}`;
    const keyId = message.split(":")[3];
    const headers = {
      "x-bh-auth": `${message}:${signProxyMessage(SECRET, message)}`,
      "x-project-id": alice.project_id,
      "x-api-key": keyId,
      "x-aweb-actor-id": alice.agent_id,
    };
    const res = await rpc({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "status", arguments: { workspace_id: bob.workspace_id } } }, null, headers);
    expect(res.status).toBe(200);
    // proxy mode skips actor binding, so alice's proxy context may read bob's workspace
    expect(JSON.parse(res.body.result.content[0].text).workspace).toEqual({ workspace_id: bob.workspace_id, project_id: bob.project_id, project_slug: "mcp" });
  });
});
