// Auth hardening (issue 9 §3, §6): keys stored only hashed; the proxy HMAC
// compared in constant time; proxy headers ignored without a secret; revoked
// keys and deleted agents stop working (at once without the auth cache, within
// its 5 s with it); no key, secret or message body in the logs; the /v1/init
// rate limit keyed by the real socket peer unless a trusted proxy is configured.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { hashApiKey, mintApiKey } from "../src/auth/api-keys";
import { signProxyMessage, verifyProxyHeaders } from "../src/auth/proxy";
import { AppError } from "../src/http/errors";
import { createLogger } from "../src/log";
import { keys } from "../src/redis/keys";
import { initAgent, startTestApp, type Agent, type TestApp } from "./support/harness";
import { syncBody } from "./support/bdh";
import { tableNames } from "./support/fuzz/db-snapshot";

const SECRET = "hardening-secret-0123456789";
const lines: string[] = [];
const t = await startTestApp({
  config: { internalAuthSecret: SECRET },
  log: createLogger("debug", true, (line) => lines.push(line)),
});
const cached = await startTestApp({ config: { authCacheSeconds: 5 } });
afterAll(async () => {
  await t.close();
  await cached.close();
});

const whoami = (app: TestApp, key: string) => app.request("GET", "/v1/auth/introspect", { token: key });

describe("API keys are stored only hashed", () => {
  test("no column of any table holds a plaintext key (or its secret part) after init, use and re-init", async () => {
    const made: Agent[] = [];
    for (let i = 0; i < 3; i++) made.push(await initAgent(t, { project_slug: "hashed", alias: `h-${i}` }));
    // second key of one agent: re-init with that agent's key (issue 19)
    const again = await t.request("POST", "/v1/init", { body: { project_slug: "hashed", alias: "h-0" }, token: made[0].api_key });
    expect(again.status).toBe(200);
    made.push(again.body as Agent);
    for (const a of made) expect((await whoami(t, a.api_key)).status).toBe(200);
    const tables = await tableNames(t.sql);
    expect(tables).toContain("aweb.api_keys");
    for (const a of made) {
      const secretPart = a.api_key.slice(12); // what the 12-char informational prefix does not show
      for (const table of tables) {
        const [row] = await t.sql.unsafe(`select count(*)::int as n from ${table} x where x::text like $1 or x::text like $2`, [
          `%${a.api_key}%`,
          `%${secretPart}%`,
        ]);
        expect(row.n ? `${table} holds a key` : null).toBeNull();
      }
      const [stored] = await t.sql`select count(*)::int as n from aweb.api_keys where key_hash = ${hashApiKey(a.api_key)}`;
      expect(stored.n).toBe(1);
    }
  });
});

describe("proxy signatures", () => {
  const project = crypto.randomUUID();
  const actor = crypto.randomUUID();
  const principal = crypto.randomUUID();
  const message = `v2:${project}:k:${principal}:${actor}`;
  const good = signProxyMessage(SECRET, message);
  const headers = (sig: string) =>
    new Headers({ "x-bh-auth": `${message}:${sig}`, "x-project-id": project, "x-aweb-actor-id": actor, "x-api-key": principal });
  const rejects = (sig: string) => {
    try {
      verifyProxyHeaders(headers(sig), SECRET);
      return false;
    } catch (err) {
      return err instanceof AppError && err.status === 401 && err.detail === "Authentication required";
    }
  };

  test("a correct signature verifies", () => {
    expect(verifyProxyHeaders(headers(good), SECRET)).toEqual({ projectId: project, principalType: "k", principalId: principal, actorId: actor });
  });

  test("every equal-length wrong signature is refused, wherever the first difference is", () => {
    for (let i = 0; i < good.length; i++) {
      const flipped = good.slice(0, i) + (good[i] === "0" ? "1" : "0") + good.slice(i + 1);
      expect(flipped.length).toBe(good.length);
      expect(rejects(flipped)).toBe(true);
    }
    expect(rejects(good.toUpperCase())).toBe(true);
    expect(rejects(good.slice(0, -1))).toBe(true);
    expect(rejects(good + "0")).toBe(true);
    expect(rejects("")).toBe(true);
  });

  test("the comparison is crypto.timingSafeEqual over the whole header value", () => {
    // A timing measurement would be flaky; the guarantee is structural: the only
    // comparison of the signed value is constantTimeEquals(), which calls
    // timingSafeEqual on equal-length buffers (docs/reliability.md).
    const source = readFileSync(new URL("../src/auth/proxy.ts", import.meta.url), "utf8");
    expect(source).toMatch(/import \{[^}]*timingSafeEqual[^}]*\} from "node:crypto"/);
    expect(source).toMatch(/function constantTimeEquals[\s\S]*timingSafeEqual\(ab, bb\)/);
    expect(source).toMatch(/constantTimeEquals\(signed, expected\)/);
    expect(source).not.toMatch(/signed\s*[!=]==?\s*expected|expected\s*[!=]==?\s*signed/);
  });

  test("proxy headers are ignored when no secret is configured", async () => {
    const plain = await startTestApp(); // internalAuthSecret null
    try {
      const a = await initAgent(plain, { project_slug: "noproxy-a" });
      const b = await initAgent(plain, { project_slug: "noproxy-b" });
      const forge = (secret: string) => {
        const m = `v2:${a.project_id}:k:${crypto.randomUUID()}:${a.agent_id}`;
        return { "x-bh-auth": `${m}:${signProxyMessage(secret, m)}`, "x-project-id": a.project_id, "x-aweb-actor-id": a.agent_id, "x-api-key": m.split(":")[3] };
      };
      for (const secret of ["", "guess", SECRET]) {
        // Without a Bearer key: 401, as if the headers were absent.
        const alone = await plain.request("GET", "/v1/auth/introspect", { headers: forge(secret) });
        expect(alone.status).toBe(401);
        expect(alone.body).toEqual({ detail: "Authentication required" });
        // With B's key: B, never the project the headers claim.
        const mixed = await plain.request("GET", "/v1/auth/introspect", { token: b.api_key, headers: forge(secret) });
        expect(mixed.status).toBe(200);
        expect(mixed.body.project_id).toBe(b.project_id);
        const ws = await plain.request("GET", "/v1/workspaces", { token: b.api_key, headers: forge(secret) });
        expect(ws.text).not.toContain(a.agent_id);
      }
    } finally {
      await plain.close();
    }
  });
});

describe("revoked keys and deleted agents", () => {
  const actorCalls = (a: Agent) => [
    ["GET", "/v1/messages/inbox", undefined],
    ["POST", "/v1/messages", { to_alias: a.alias, subject: "s", body: "b" }],
    ["POST", "/v1/reservations", { resource_key: `k-${a.alias}`, ttl_seconds: 60 }],
    ["POST", "/v1/agents/heartbeat", undefined],
    ["GET", "/v1/chat/pending", undefined],
  ] as const;

  test("without the auth cache, a revoked key fails at once on every route", async () => {
    const a = await initAgent(t, { project_slug: "revoke", alias: "rv" });
    const other = { ...a, api_key: await mintApiKey(t.sql, a.project_id, a.agent_id) }; // second key, same agent
    expect((await whoami(t, a.api_key)).status).toBe(200);
    await t.sql`update aweb.api_keys set is_active = false where key_hash = ${hashApiKey(a.api_key)}`;
    for (const [method, path, body] of [...actorCalls(a), ["GET", "/v1/workspaces", undefined], ["POST", "/v1/bdh/sync", syncBody(a)]] as const) {
      const res = await t.request(method, path, { token: a.api_key, body });
      expect([path, res.status, res.body]).toEqual([path, 401, { detail: "Invalid API key" }]);
    }
    // The agent's other key is unaffected.
    expect((await t.request("GET", "/v1/messages/inbox", { token: other.api_key })).status).toBe(200);
  });

  test("a soft-deleted agent's key stops working for actor routes at once", async () => {
    const a = await initAgent(t, { project_slug: "deleted", alias: "gone" });
    expect((await t.request("GET", "/v1/messages/inbox", { token: a.api_key })).status).toBe(200);
    await t.sql`update aweb.agents set deleted_at = now() where agent_id = ${a.agent_id}`;
    for (const [method, path, body] of actorCalls(a)) {
      const res = await t.request(method, path, { token: a.api_key, body });
      expect([path, res.status, res.body]).toEqual([path, 404, { detail: "Agent not found" }]);
    }
  });

  test("with the default 5 s auth cache, a revoked key stops working within 5 s", async () => {
    const a = await initAgent(cached, { project_slug: "cache", alias: "cc" });
    expect((await whoami(cached, a.api_key)).status).toBe(200); // now cached
    await cached.sql`update aweb.api_keys set is_active = false where key_hash = ${hashApiKey(a.api_key)}`;
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 7000) {
      status = (await whoami(cached, a.api_key)).status;
      if (status === 200) await Bun.sleep(100);
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(5300);
  }, 10_000);

  test("with the cache, a deleted agent stops acting within the cache window too (404)", async () => {
    const a = await initAgent(cached, { project_slug: "cache", alias: "dd" });
    const inbox = () => cached.request("GET", "/v1/messages/inbox", { token: a.api_key });
    expect((await inbox()).status).toBe(200);
    await cached.sql`update aweb.agents set deleted_at = now() where agent_id = ${a.agent_id}`;
    const deletedAt = Date.now();
    let res = await inbox();
    while (res.status === 200 && Date.now() - deletedAt < 7000) {
      await Bun.sleep(100);
      res = await inbox();
    }
    expect(res).toMatchObject({ status: 404, body: { detail: "Agent not found" } });
    expect(Date.now() - deletedAt).toBeLessThanOrEqual(5300);
  }, 10_000);
});

describe("logs", () => {
  test("no key, secret, signature or message body is ever logged", async () => {
    lines.length = 0;
    const a = await initAgent(t, { project_slug: "logs", alias: "talker" });
    const b = await initAgent(t, { project_slug: "logs", alias: "listener" });
    const mailBody = `mail-body-${crypto.randomUUID()}`;
    const chatBody = `chat-body-${crypto.randomUUID()}`;
    const subject = `subject-${crypto.randomUUID()}`;
    const situation = `situation-${crypto.randomUUID()}`;
    const title = `title-${crypto.randomUUID()}`;
    const wrongKey = "aw_sk_" + "ab".repeat(32);
    const m = `v2:${a.project_id}:k:${crypto.randomUUID()}:${a.agent_id}`;
    const signature = signProxyMessage(SECRET, m);
    const proxy = { "x-bh-auth": `${m}:${signature}`, "x-project-id": a.project_id, "x-aweb-actor-id": a.agent_id, "x-api-key": m.split(":")[3] };
    const badProxy = { ...proxy, "x-bh-auth": `${m}:${"0".repeat(64)}` };

    expect((await t.request("POST", "/v1/messages", { token: a.api_key, body: { to_alias: b.alias, subject, body: mailBody } })).status).toBe(200);
    expect((await t.request("POST", "/v1/chat/sessions", { token: a.api_key, body: { to_aliases: [b.alias], message: chatBody } })).status).toBe(200);
    expect((await t.request("GET", "/v1/messages/inbox", { token: b.api_key })).text).toContain(mailBody);
    expect((await t.request("POST", "/v1/escalations", { token: a.api_key, body: { workspace_id: a.workspace_id, alias: a.alias, subject, situation } })).status).toBe(200);
    expect((await t.request("POST", "/v1/bdh/sync", { token: a.api_key, body: syncBody(a, { issues: [{ id: "lg-1", title }] }) })).status).toBe(200);
    expect((await t.request("GET", "/v1/workspaces", { headers: proxy })).status).toBe(200);
    // Failures log too: wrong key, bad signature, bad input, a value Postgres refuses.
    expect((await t.request("GET", "/v1/workspaces", { token: wrongKey })).status).toBe(401);
    expect((await t.request("GET", "/v1/workspaces", { headers: badProxy })).status).toBe(401);
    expect((await t.request("POST", "/v1/messages", { token: a.api_key, body: { to_alias: b.alias, body: `${mailBody}\u0000` } })).status).toBe(422);
    expect((await t.request("POST", "/v1/messages", { token: a.api_key, raw: `{"body":"${mailBody}"`, headers: { "content-type": "application/json" } })).status).toBe(422);

    expect(lines.length).toBeGreaterThan(5); // request lines were captured
    const all = lines.join("\n");
    const secrets = [a.api_key, b.api_key, a.api_key.slice(12), wrongKey, SECRET, signature, mailBody, chatBody, situation, title, subject];
    for (const s of secrets) expect(all.includes(s) ? `log contains ${s}` : null).toBeNull();
    expect(all).not.toMatch(/aw_sk_[0-9a-f]{8,}/);
    expect(all.toLowerCase()).not.toContain("bearer");
  });
});

describe("/v1/init rate limit on a real port", () => {
  async function listening(trustForwardedFor: boolean) {
    const app = await startTestApp({ config: { initRateLimit: 2, initRateWindowSeconds: 60, trustForwardedFor } });
    app.handle.app.listen({ hostname: "127.0.0.1", port: 0, reusePort: false });
    const base = `http://127.0.0.1:${app.handle.app.server!.port}`;
    const init = (alias: string, forwarded?: string) =>
      fetch(base + "/v1/init", {
        method: "POST",
        headers: { "content-type": "application/json", ...(forwarded ? { "x-forwarded-for": forwarded } : {}) },
        body: JSON.stringify({ project_slug: "rl-port", alias }),
      });
    return { app, init, async close() { await app.handle.app.stop(true); await app.close(); } };
  }

  test("keyed by the socket peer: spoofed X-Forwarded-For values do not get around it", async () => {
    const s = await listening(false);
    try {
      expect((await s.init("p1", "1.1.1.1")).status).toBe(200);
      expect((await s.init("p2", "2.2.2.2")).status).toBe(200);
      const over = await s.init("p3", "3.3.3.3");
      expect(over.status).toBe(429);
      expect(await over.json()).toEqual({ detail: "Rate limit exceeded. Too many initialization requests." });
      expect(await s.app.redis.get(keys.initRateLimit("127.0.0.1"))).toBe("3");
      expect(await s.app.redis.get(keys.initRateLimit("3.3.3.3"))).toBeNull();
    } finally {
      await s.close();
    }
  });

  test("behind a trusted proxy: keyed by the first forwarded address", async () => {
    const s = await listening(true);
    try {
      expect((await s.init("q1", "7.7.7.7, 10.0.0.1")).status).toBe(200);
      expect((await s.init("q2", "7.7.7.7")).status).toBe(200);
      expect((await s.init("q3", "7.7.7.7")).status).toBe(429);
      expect((await s.init("q4", "8.8.8.8")).status).toBe(200);
      // No header: the socket peer.
      expect((await s.init("q5")).status).toBe(200);
      expect(await s.app.redis.get(keys.initRateLimit("127.0.0.1"))).toBe("1");
    } finally {
      await s.close();
    }
  });
});
