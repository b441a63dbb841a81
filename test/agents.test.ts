import { afterAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { mintApiKey } from "../src/auth/api-keys";
import { signProxyMessage } from "../src/auth/proxy";
import { createApp } from "../src/app";
import { silentLogger } from "../src/log";
import { keys } from "../src/redis/keys";
import { initAgent, startTestApp } from "./support/harness";

const SECRET = "agents-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$/;

// Aliases chosen so the expected order (by alias) differs from creation order.
const zed = await initAgent(t, { project_slug: "agents", alias: "zed", human_name: "Zed" });
const amy = await initAgent(t, { project_slug: "agents", alias: "amy", human_name: "" });
const mia = await initAgent(t, { project_slug: "agents", alias: "mia", role: "reviewer" });
const outsider = await initAgent(t, { project_slug: "agents-other", alias: "amy" });
const noAgentKey = await mintApiKey(t.sql, zed.project_id, null);

const listAgents = (token?: string, headers?: Record<string, string>) =>
  t.request("GET", "/v1/agents", { token, headers });
const heartbeat = (token?: string) => t.request("POST", "/v1/agents/heartbeat", { token });
const agentIn = (body: any, alias: string) => body.agents.find((a: any) => a.alias === alias);

/** Exactly the body bdh's refreshPresenceHeartbeat sends (RefreshPresenceRequest, omitempty). */
function bdhRegisterBody(a: typeof zed, extra: Record<string, unknown> = {}) {
  return {
    workspace_id: a.workspace_id,
    alias: a.alias,
    human_name: "Tester",
    project_slug: a.project_slug,
    repo_id: a.repo_id,
    repo_origin: "git@github.com:acme/app.git",
    canonical_origin: "github.com/acme/app",
    hostname: "devbox",
    workspace_path: "/home/dev/app",
    program: "claude-code",
    repo: "github.com/acme/app",
    branch: "main",
    role: "agent",
    ...extra,
  };
}

describe("GET /v1/agents", () => {
  test("lists live agents of the caller's project by alias, offline without presence", async () => {
    const res = await listAgents(zed.api_key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      project_id: zed.project_id,
      agents: [
        { agent_id: amy.agent_id, alias: "amy", human_name: null, agent_type: "agent", status: "offline", last_seen: null, online: false },
        { agent_id: mia.agent_id, alias: "mia", human_name: "Tester", agent_type: "agent", status: "offline", last_seen: null, online: false },
        { agent_id: zed.agent_id, alias: "zed", human_name: "Zed", agent_type: "agent", status: "offline", last_seen: null, online: false },
      ],
    });
  });

  test("another project sees only its own agents", async () => {
    const res = await listAgents(outsider.api_key);
    expect(res.status).toBe(200);
    expect(res.body.project_id).toBe(outsider.project_id);
    expect(res.body.agents.map((a: any) => a.agent_id)).toEqual([outsider.agent_id]);
  });

  test("needs only a project: a key without an agent may list", async () => {
    const res = await listAgents(noAgentKey);
    expect(res.status).toBe(200);
    expect(res.body.agents).toHaveLength(3);
  });

  test("a public reader (proxy p) may list, unredacted", async () => {
    const message = `v2:${zed.project_id}:p:anon:${zed.agent_id}`;
    const res = await listAgents(undefined, {
      "x-bh-auth": `${message}:${signProxyMessage(SECRET, message)}`,
      "x-project-id": zed.project_id,
      "x-aweb-actor-id": zed.agent_id,
    });
    expect(res.status).toBe(200);
    expect(agentIn(res.body, "zed").human_name).toBe("Zed");
  });

  test("401 without a key and with an unknown key", async () => {
    const none = await listAgents();
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: "Authentication required" });
    const bad = await listAgents("aw_sk_" + "0".repeat(64));
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ detail: "Invalid API key" });
  });

  test("a soft-deleted agent is not listed", async () => {
    const gone = await initAgent(t, { project_slug: "agents", alias: "bob", repo_origin: null });
    await t.sql`update aweb.agents set deleted_at = now() where agent_id = ${gone.agent_id}`;
    const res = await listAgents(zed.api_key);
    expect(res.body.agents.map((a: any) => a.alias)).toEqual(["amy", "mia", "zed"]);
  });
});

describe("POST /v1/agents/heartbeat", () => {
  test("no body, no content type: writes presence that GET /v1/agents reads", async () => {
    const res = await heartbeat(amy.api_key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ agent_id: amy.agent_id, last_seen: expect.stringMatching(ISO), ttl_seconds: 1800 });
    const list = await listAgents(zed.api_key);
    expect(agentIn(list.body, "amy")).toEqual({
      agent_id: amy.agent_id,
      alias: "amy",
      human_name: null,
      agent_type: "agent",
      status: "active",
      last_seen: res.body.last_seen,
      online: true,
    });
    expect(agentIn(list.body, "zed").online).toBe(false);
    expect(await t.redis.ttl(keys.presence(amy.agent_id))).toBeGreaterThan(1790);
  });

  test("presence gone from Redis → offline again", async () => {
    await heartbeat(mia.api_key);
    expect(agentIn((await listAgents(zed.api_key)).body, "mia").online).toBe(true);
    await t.redis.del(keys.presence(mia.agent_id));
    expect(agentIn((await listAgents(zed.api_key)).body, "mia")).toMatchObject({
      status: "offline",
      last_seen: null,
      online: false,
    });
  });

  test("a presence record naming another project does not count", async () => {
    await t.redis.hset(keys.presence(zed.agent_id), { project_id: outsider.project_id, status: "active", last_seen: "x" });
    expect(agentIn((await listAgents(zed.api_key)).body, "zed")).toMatchObject({ status: "offline", online: false });
    await t.redis.del(keys.presence(zed.agent_id));
  });

  test("401 no key / bad key, 403 key without agent, 404 deleted agent", async () => {
    expect((await heartbeat()).status).toBe(401);
    const bad = await heartbeat("not-a-key");
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ detail: "Invalid API key" });
    const unbound = await heartbeat(noAgentKey);
    expect(unbound.status).toBe(403);
    expect(unbound.body).toEqual({ detail: "API key is not bound to an agent" });
    const gone = await initAgent(t, { project_slug: "agents", alias: "gone", repo_origin: null });
    await t.sql`update aweb.agents set deleted_at = now() where agent_id = ${gone.agent_id}`;
    const res = await heartbeat(gone.api_key);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "Agent not found" });
  });

  test("succeeds while Redis is down (last_seen = now)", async () => {
    const dead = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on("error", () => {});
    const app = await createApp({ config: t.config, sql: t.sql, redis: dead, log: silentLogger });
    try {
      const res = await app.app.handle(
        new Request("http://localhost/v1/agents/heartbeat", {
          method: "POST",
          headers: { authorization: `Bearer ${zed.api_key}` },
        }),
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.agent_id).toBe(zed.agent_id);
      expect(Math.abs(Date.parse(body.last_seen) - Date.now())).toBeLessThan(5000);
      const list = await app.app.handle(
        new Request("http://localhost/v1/agents", { headers: { authorization: `Bearer ${zed.api_key}` } }),
      );
      expect(list.status).toBe(200);
      expect(((await list.json()) as any).agents.every((a: any) => !a.online)).toBe(true);
    } finally {
      await app.close();
      dead.disconnect();
    }
  });
});

describe("POST /v1/agents/register", () => {
  test("bdh's exact body: presence from the stored workspace, response shape", async () => {
    const res = await t.request("POST", "/v1/agents/register", {
      token: mia.api_key,
      body: bdhRegisterBody(mia, { alias: "someone-else", human_name: "Mia Doe", role: "Code  Reviewer" }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      agent: {
        alias: "mia",
        human_name: "Mia Doe",
        project_slug: "agents",
        program: "claude-code",
        model: null,
        member: null,
        repo: "github.com/acme/app",
        branch: "main",
        role: "code reviewer",
        registered_at: expect.stringMatching(ISO),
      },
      workspace: { workspace_id: mia.workspace_id },
    });
    const hash = await t.redis.hgetall(keys.presence(mia.agent_id));
    expect(hash).toMatchObject({
      workspace_id: mia.workspace_id,
      alias: "mia",
      project_id: mia.project_id,
      project_slug: "agents",
      repo_id: mia.repo_id!,
      human_name: "Mia Doe",
      program: "claude-code",
      current_branch: "main",
      role: "code reviewer",
      status: "active",
      last_seen: res.body.agent.registered_at,
    });
    const list = await listAgents(zed.api_key);
    expect(agentIn(list.body, "mia")).toMatchObject({ online: true, status: "active", last_seen: res.body.agent.registered_at });
  });

  test("minimal body: human_name and role fall back to the stored workspace; ttl_seconds is honoured", async () => {
    const res = await t.request("POST", "/v1/agents/register", {
      token: mia.api_key,
      body: { workspace_id: mia.workspace_id!.toUpperCase(), alias: "mia", ttl_seconds: "120" },
    });
    expect(res.status).toBe(200);
    expect(res.body.agent).toMatchObject({ alias: "mia", human_name: "Tester", role: "reviewer", program: null, repo: null, branch: null });
    expect(res.body.workspace).toEqual({ workspace_id: mia.workspace_id });
    const ttl = await t.redis.ttl(keys.presence(mia.agent_id));
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  const invalidBodies: [string, Record<string, unknown>][] = [
    ["a malformed workspace_id", { workspace_id: "nope", alias: "mia" }],
    ["a missing alias", { workspace_id: "W" }],
    ["a bad alias", { workspace_id: "W", alias: "has space" }],
    ["a bad role", { workspace_id: "W", alias: "mia", role: "one two three" }],
    ["ttl_seconds 0", { workspace_id: "W", alias: "mia", ttl_seconds: 0 }],
    ["ttl_seconds 86401", { workspace_id: "W", alias: "mia", ttl_seconds: 86401 }],
    ["ttl_seconds not an integer", { workspace_id: "W", alias: "mia", ttl_seconds: "soon" }],
    ["project_slug over 63", { workspace_id: "W", alias: "mia", project_slug: "x".repeat(64) }],
  ];
  for (const [name, raw] of invalidBodies) {
    test(`422 for ${name}`, async () => {
      const body = { ...raw, workspace_id: raw.workspace_id === "W" ? mia.workspace_id : raw.workspace_id };
      const res = await t.request("POST", "/v1/agents/register", { token: mia.api_key, body });
      expect(res.status).toBe(422);
      expect(Array.isArray(res.body.detail)).toBe(true);
    });
  }

  test("401 without a key", async () => {
    const res = await t.request("POST", "/v1/agents/register", { body: bdhRegisterBody(mia) });
    expect(res.status).toBe(401);
  });

  test("403 for another agent's workspace in the same project (actor binding)", async () => {
    const res = await t.request("POST", "/v1/agents/register", { token: zed.api_key, body: bdhRegisterBody(mia) });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: "workspace_id does not match API key identity" });
  });

  test("403 for a workspace of another project, nothing written", async () => {
    await t.redis.del(keys.presence(outsider.agent_id));
    const res = await t.request("POST", "/v1/agents/register", { token: zed.api_key, body: bdhRegisterBody(outsider) });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: "Workspace not found or does not belong to your project" });
    expect(await t.redis.exists(keys.presence(outsider.agent_id))).toBe(0);
  });

  test("404 unknown workspace, 410 deleted workspace, 422 deleted project", async () => {
    const unknown = await t.request("POST", "/v1/agents/register", {
      token: noAgentKey,
      body: { workspace_id: crypto.randomUUID(), alias: "x" },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: "Workspace not found" });

    const w = await initAgent(t, { project_slug: "agents-del", alias: "w" });
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${w.workspace_id}`;
    const deleted = await t.request("POST", "/v1/agents/register", { token: w.api_key, body: bdhRegisterBody(w) });
    expect(deleted.status).toBe(410);
    expect(deleted.body).toEqual({ detail: "Workspace was deleted" });

    await t.sql`update server.workspaces set deleted_at = null where workspace_id = ${w.workspace_id}`;
    await t.sql`update server.projects set deleted_at = now() where id = ${w.project_id}`;
    const noProject = await t.request("POST", "/v1/agents/register", { token: w.api_key, body: bdhRegisterBody(w) });
    expect(noProject.status).toBe(422);
    expect(noProject.body).toEqual({ detail: "Workspace not found" });
  });
});
