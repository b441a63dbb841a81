import { afterAll, describe, expect, test } from "bun:test";
import { hashApiKey } from "../src/auth/api-keys";
import { signProxyMessage } from "../src/auth/proxy";
import { initAgent, startTestApp } from "./support/harness";

const SECRET = "test-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const alice = await initAgent(t, { project_slug: "auth-a", alias: "alice" });
const bob = await initAgent(t, { project_slug: "auth-b", alias: "bob" });

function proxyHeaders(
  project: string,
  actor: string,
  opts: { type?: "u" | "k" | "p"; principal?: string; secret?: string; signProject?: string } = {},
): Record<string, string> {
  const type = opts.type ?? "k";
  const principal = opts.principal ?? "11111111-2222-4333-8444-555555555555";
  const message = `v2:${(opts.signProject ?? project).toLowerCase()}:${type}:${principal.toLowerCase()}:${actor.toLowerCase()}`;
  const headers: Record<string, string> = {
    "x-bh-auth": `${message}:${signProxyMessage(opts.secret ?? SECRET, message)}`,
    "x-project-id": project,
    "x-aweb-actor-id": actor,
  };
  if (type === "u") headers["x-user-id"] = principal;
  if (type === "k") headers["x-api-key"] = principal;
  return headers;
}

const introspect = (opts: { token?: string; headers?: Record<string, string> }) =>
  t.request("GET", "/v1/auth/introspect", opts);

describe("bearer", () => {
  test("a valid key introspects to its project and agent", async () => {
    const res = await introspect({ token: alice.api_key });
    expect(res.status).toBe(200);
    const [{ api_key_id }] = await t.sql`select api_key_id from aweb.api_keys where key_hash = ${hashApiKey(alice.api_key)}`;
    expect(res.body).toEqual({
      project_id: alice.project_id,
      api_key_id,
      agent_id: alice.agent_id,
      alias: "alice",
      human_name: "Tester",
      agent_type: "agent",
    });
  });

  test("verification stamps last_used_at", async () => {
    await introspect({ token: bob.api_key });
    const [row] = await t.sql`select last_used_at from aweb.api_keys where key_hash = ${hashApiKey(bob.api_key)}`;
    expect(row.last_used_at).not.toBeNull();
  });

  const failures: [string, Record<string, string>, string][] = [
    ["no Authorization header", {}, "Authentication required"],
    ["a Basic header", { authorization: "Basic abc" }, "Invalid Authorization header. Expected: Bearer <token>"],
    ["a lower-case bearer", { authorization: "bearer " + "x" }, "Invalid Authorization header. Expected: Bearer <token>"],
    ["an unknown key", { authorization: "Bearer aw_sk_" + "0".repeat(64) }, "Invalid API key"],
    ["a key with a wrong prefix", { authorization: "Bearer sk_" + "a".repeat(64) }, "Invalid API key"],
    // HTTP trims header values, so "Bearer " arrives as "Bearer".
    ["an empty token", { authorization: "Bearer " }, "Invalid Authorization header. Expected: Bearer <token>"],
  ];
  for (const [name, headers, detail] of failures) {
    test(`${name} → 401 ${detail}`, async () => {
      const res = await introspect({ headers });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail });
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
    });
  }

  test("a deactivated key stops working", async () => {
    const carol = await initAgent(t, { project_slug: "auth-a", alias: "carol" });
    expect((await introspect({ token: carol.api_key })).status).toBe(200);
    await t.sql`update aweb.api_keys set is_active = false where key_hash = ${hashApiKey(carol.api_key)}`;
    const res = await introspect({ token: carol.api_key });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: "Invalid API key" });
  });

  test("a key without an agent introspects without agent fields", async () => {
    const key = "aw_sk_" + "ab".repeat(32);
    await t.sql`
      insert into aweb.api_keys (project_id, key_prefix, key_hash)
      values (${alice.project_id}, ${key.slice(0, 12)}, ${hashApiKey(key)})`;
    const res = await introspect({ token: key });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["api_key_id", "project_id"]);
  });
});

describe("signed proxy headers", () => {
  test("type k: project, actor and api_key_id come from the headers", async () => {
    const principal = "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE";
    const res = await introspect({ headers: proxyHeaders(alice.project_id, alice.agent_id, { principal }) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      project_id: alice.project_id,
      api_key_id: principal.toLowerCase(),
      agent_id: alice.agent_id,
      alias: "alice",
      human_name: "Tester",
      agent_type: "agent",
    });
  });

  test("type u carries user_id; upper-case UUID headers are normalized before the check", async () => {
    const user = "99999999-8888-4777-8666-555555555555";
    const headers = proxyHeaders(alice.project_id.toUpperCase(), alice.agent_id.toUpperCase(), { type: "u", principal: user.toUpperCase() });
    const res = await introspect({ headers });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(user);
    expect(res.body.project_id).toBe(alice.project_id);
  });

  test("proxy context wins over a Bearer header", async () => {
    const headers = { ...proxyHeaders(bob.project_id, bob.agent_id), authorization: `Bearer ${alice.api_key}` };
    const res = await introspect({ headers });
    expect(res.body.project_id).toBe(bob.project_id);
  });

  const bad: [string, () => Record<string, string>][] = [
    ["a wrong signature", () => proxyHeaders(alice.project_id, alice.agent_id, { secret: "other" })],
    ["a signature for another project", () => proxyHeaders(alice.project_id, alice.agent_id, { signProject: bob.project_id })],
    ["a missing X-Project-ID", () => {
      const h = proxyHeaders(alice.project_id, alice.agent_id);
      delete h["x-project-id"];
      return h;
    }],
    ["a missing actor", () => {
      const h = proxyHeaders(alice.project_id, alice.agent_id);
      delete h["x-aweb-actor-id"];
      return h;
    }],
    ["a non-UUID project", () => ({ ...proxyHeaders(alice.project_id, alice.agent_id), "x-project-id": "nope" })],
    ["a truncated signature", () => {
      const h = proxyHeaders(alice.project_id, alice.agent_id);
      h["x-bh-auth"] = h["x-bh-auth"].slice(0, -2);
      return h;
    }],
  ];
  for (const [name, headers] of bad) {
    test(`${name} → 401 Authentication required`, async () => {
      const res = await introspect({ headers: headers() });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: "Authentication required" });
    });
  }

  test("public readers are refused by aweb routes", async () => {
    const headers = proxyHeaders(alice.project_id, alice.agent_id, { type: "p", principal: "anon" });
    const res = await introspect({ headers });
    expect(res.status).toBe(401);
    expect((await t.request("GET", "/v1/projects/current", { headers })).status).toBe(401);
  });

  test("proxy headers are ignored when no secret is configured", async () => {
    const plain = await startTestApp();
    try {
      const a = await initAgent(plain, { project_slug: "plain", alias: "p1" });
      const headers = proxyHeaders(alice.project_id, alice.agent_id);
      const noBearer = await plain.request("GET", "/v1/auth/introspect", { headers });
      expect(noBearer.status).toBe(401);
      const withBearer = await plain.request("GET", "/v1/auth/introspect", { headers: { ...headers, authorization: `Bearer ${a.api_key}` } });
      expect(withBearer.status).toBe(200);
      expect(withBearer.body.project_id).toBe(a.project_id);
    } finally {
      await plain.close();
    }
  });
});

describe("key cache", async () => {
  const cached = await startTestApp({ config: { authCacheSeconds: 1 } });
  afterAll(() => cached.close());

  test("a revoked key outlives revocation by at most the cache window", async () => {
    const a = await initAgent(cached, { project_slug: "cache", alias: "c1" });
    expect((await cached.request("GET", "/v1/auth/introspect", { token: a.api_key })).status).toBe(200);
    await cached.sql`update aweb.api_keys set is_active = false where key_hash = ${hashApiKey(a.api_key)}`;
    await Bun.sleep(1100);
    expect((await cached.request("GET", "/v1/auth/introspect", { token: a.api_key })).status).toBe(401);
  });

  test("the actor agent is cached too: a removed agent acts until the window ends, then 404", async () => {
    const a = await initAgent(cached, { project_slug: "cache", alias: "c2" });
    const inbox = () => cached.request("GET", "/v1/messages/inbox", { token: a.api_key });
    expect(await inbox()).toMatchObject({ status: 200, body: { messages: [] } });
    await cached.sql`update aweb.agents set deleted_at = now() where agent_id = ${a.agent_id}`;
    // served from the cache: no round-trip saw the deletion yet
    expect((await inbox()).status).toBe(200);
    await Bun.sleep(1100);
    expect(await inbox()).toMatchObject({ status: 404, body: { detail: "Agent not found" } });
  });
});
