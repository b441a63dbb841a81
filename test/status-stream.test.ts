// GET /v1/status/stream (docs/protocol/status.md) over a real port: one
// event per category, published directly and through the routes that cause
// them; filters; 404s and 422s; keepalives; listener cleanup on disconnect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { publicReaderHeaders } from "./support/proxy";
import { createRedisBus } from "../src/events/bus";
import { publishWorkspaceEvent } from "../src/events/publish";
import { silentLogger } from "../src/log";
import { channels } from "../src/redis/keys";
import { setStatusStreamTimings, statusStreamResponse } from "../src/status/stream";
import { initAgent, startTestApp, type Agent } from "./support/harness";
import { readSse, type SseClient } from "./support/sse";

const SECRET = "stream-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
const { deps } = t.handle;
t.handle.app.listen({ hostname: "127.0.0.1", port: 0, reusePort: false, idleTimeout: 0 });
const base = `http://127.0.0.1:${t.handle.app.server!.port}`;
const open: SseClient[] = [];
let restoreTimings = () => {};
beforeAll(() => {
  restoreTimings = setStatusStreamTimings({ keepaliveMs: 250, emptyStreamMs: 600 });
});
afterAll(async () => {
  restoreTimings();
  for (const c of open) c.close();
  await t.handle.app.stop(true);
  await t.close();
});

const APP = "git@github.com:acme/app.git";
const alice = await initAgent(t, { project_slug: "stream", alias: "alice", human_name: "Alice", repo_origin: APP });
const bob = await initAgent(t, { project_slug: "stream", alias: "bob", human_name: "Bob", repo_origin: "git@github.com:acme/tools.git" });
const carol = await initAgent(t, { project_slug: "stream", alias: "carol", human_name: "Carol", repo_origin: APP });
const olga = await initAgent(t, { project_slug: "stream-other", alias: "olga", human_name: "Olga", repo_origin: APP });
const lonely = await initAgent(t, { project_slug: "stream-empty", alias: "lonely", repo_origin: APP });
await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${lonely.workspace_id}`;

async function connect(path: string, a: Agent | Record<string, string>): Promise<SseClient> {
  const headers = "api_key" in a ? { authorization: `Bearer ${a.api_key}` } : (a as Record<string, string>);
  const abort = new AbortController();
  const res = await fetch(base + path, { headers, signal: abort.signal });
  const client = readSse(res, abort);
  open.push(client);
  return client;
}

/** Connect and wait for the first keepalive: the subscription is live after it. */
async function stream(path: string, a: Agent | Record<string, string>): Promise<SseClient> {
  const c = await connect(path, a);
  expect(c.response.status).toBe(200);
  expect(await c.next()).toBe(": keepalive");
  return c;
}

const publish = (a: Agent, type: Parameters<typeof publishWorkspaceEvent>[2], fields: Record<string, unknown> = {}) =>
  publishWorkspaceEvent(deps, a.workspace_id!, type, a.project_slug, fields);

const publicReader = (a: Agent) => publicReaderHeaders(SECRET, a.project_id, a.agent_id);

async function waitUntil(check: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(10);
  }
  return true;
}

describe("GET /v1/status/stream: delivery", () => {
  test("SSE headers, an immediate keepalive, then each event category as `data: <json>`", async () => {
    const c = await connect(`/v1/status/stream?workspace_id=${alice.workspace_id}`, alice);
    expect(c.response.status).toBe(200);
    expect(c.response.headers.get("content-type")).toBe("text/event-stream");
    expect(c.response.headers.get("cache-control")).toBe("no-cache");
    expect(c.response.headers.get("x-accel-buffering")).toBe("no");
    expect(c.response.headers.get("connection")).toBe("keep-alive");
    expect(await c.next()).toBe(": keepalive");

    const cases: [Parameters<typeof publishWorkspaceEvent>[2], Record<string, unknown>][] = [
      ["escalation.created", { escalation_id: "e1", alias: "alice", subject: "help" }],
      ["escalation.responded", { escalation_id: "e1", response: "ok" }],
      ["message.delivered", { message_id: "m1", from_workspace: bob.workspace_id, from_alias: "bob", subject: "hi", priority: "normal" }],
      ["message.acknowledged", { message_id: "m1" }],
      ["reservation.acquired", { paths: ["src/a.ts"], alias: "alice", ttl_seconds: 60, bead_id: null, reason: null, exclusive: true }],
      ["reservation.renewed", { paths: ["src/a.ts"], alias: "alice", ttl_seconds: 120 }],
      ["reservation.released", { paths: ["src/a.ts"], alias: "alice" }],
      ["bead.status_changed", { project_id: alice.project_id, bead_id: "bd-1", repo: "github.com/acme/app", old_status: "open", new_status: "closed" }],
    ];
    for (const [type, fields] of cases) {
      await publish(alice, type, fields);
      const frame = await c.next();
      expect(frame.startsWith("data: ")).toBe(true);
      expect(JSON.parse(frame.slice(6))).toEqual({
        workspace_id: alice.workspace_id,
        type,
        timestamp: expect.stringMatching(/\+00:00$/),
        project_slug: "stream",
        ...fields,
      });
    }
  });

  test("events caused by real routes: escalation created and responded", async () => {
    const c = await stream(`/v1/status/stream?workspace_id=${alice.workspace_id}`, alice);
    const created = await t.request("POST", "/v1/escalations", {
      token: alice.api_key,
      body: { workspace_id: alice.workspace_id, alias: "alice", subject: "Need a decision", situation: "two options" },
    });
    expect(created.status).toBe(200);
    expect(await c.nextEvent()).toEqual({
      workspace_id: alice.workspace_id,
      type: "escalation.created",
      timestamp: expect.any(String),
      project_slug: null, // from the presence hash; alice has none (§11)
      escalation_id: created.body.escalation_id,
      alias: "alice",
      subject: "Need a decision",
    });
    const responded = await t.request("POST", `/v1/escalations/${created.body.escalation_id}/respond`, {
      token: bob.api_key,
      body: { response: "take option A" },
    });
    expect(responded.status).toBe(200);
    expect(await c.nextEvent()).toMatchObject({
      type: "escalation.responded",
      escalation_id: created.body.escalation_id,
      response: "take option A",
    });
  });

  test("events caused by real routes: mail delivered to the recipient's stream", async () => {
    const c = await stream(`/v1/status/stream?workspace_id=${bob.workspace_id}`, bob);
    const sent = await t.request("POST", "/v1/messages", {
      token: alice.api_key,
      body: { to_alias: "bob", subject: "review", body: "please look" },
    });
    expect(sent.status).toBe(200);
    expect(await c.nextEvent()).toMatchObject({
      workspace_id: bob.workspace_id,
      type: "message.delivered",
      message_id: sent.body.message_id,
      from_workspace: alice.workspace_id,
      from_alias: "alice",
      subject: "review",
      priority: "normal",
    });
  });

  test("events caused by real routes: reservation acquired, renewed, released", async () => {
    const c = await stream(`/v1/status/stream?workspace_id=${alice.workspace_id}&event_types=reservation`, alice);
    const key = `src/stream-${Date.now()}.ts`;
    const acquired = await t.request("POST", "/v1/reservations", { token: alice.api_key, body: { resource_key: key, ttl_seconds: 120 } });
    expect(acquired.status).toBe(200);
    expect(await c.nextEvent()).toMatchObject({ type: "reservation.acquired", workspace_id: alice.workspace_id, paths: [key], alias: "alice" });
    expect((await t.request("POST", "/v1/reservations/renew", { token: alice.api_key, body: { resource_key: key } })).status).toBe(200);
    expect(await c.nextEvent()).toMatchObject({ type: "reservation.renewed", paths: [key] });
    expect((await t.request("POST", "/v1/reservations/release", { token: alice.api_key, body: { resource_key: key } })).status).toBe(200);
    expect(await c.nextEvent()).toMatchObject({ type: "reservation.released", paths: [key] });
  });

  test("events caused by real routes: bead status changed by an upload", async () => {
    const c = await stream(`/v1/status/stream?workspace_id=${alice.workspace_id}&event_types=bead`, alice);
    const upload = (status: string) =>
      t.request("POST", "/v1/beads/upload", {
        token: alice.api_key,
        body: {
          repo: "github.com/acme/app",
          issues: [{ id: "bd-77", title: "Stream me", status, priority: 1, issue_type: "task", updated_at: new Date().toISOString() }],
        },
      });
    const first = await upload("open");
    expect(first.status).toBe(200);
    const second = await upload("closed");
    expect(second.status).toBe(200);
    expect(await c.nextEvent()).toMatchObject({
      workspace_id: alice.workspace_id,
      type: "bead.status_changed",
      project_id: alice.project_id,
      bead_id: "bd-77",
      old_status: "open",
      new_status: "closed",
    });
  });

  test("non-JSON and non-object messages are dropped", async () => {
    const c = await stream(`/v1/status/stream?workspace_id=${alice.workspace_id}`, alice);
    await deps.bus.publish(channels.workspaceEvents(alice.workspace_id!), "not json");
    await deps.bus.publish(channels.workspaceEvents(alice.workspace_id!), "[1,2]");
    await publish(alice, "bead.status_changed", { bead_id: "after" });
    expect(await c.nextEvent()).toMatchObject({ type: "bead.status_changed", bead_id: "after" });
  });
});

describe("GET /v1/status/stream: filters", () => {
  test("event_types keeps only the listed categories (trimmed, case-insensitive)", async () => {
    const c = await stream(`/v1/status/stream?workspace_id=${alice.workspace_id}&event_types=%20Bead%20,ESCALATION`, alice);
    await publish(alice, "message.delivered", { message_id: "skip" });
    await publish(alice, "reservation.acquired", { paths: ["skip"] });
    await publish(alice, "escalation.created", { escalation_id: "keep-1" });
    await publish(alice, "bead.status_changed", { bead_id: "keep-2" });
    expect(await c.nextEvent()).toMatchObject({ type: "escalation.created", escalation_id: "keep-1" });
    expect(await c.nextEvent()).toMatchObject({ type: "bead.status_changed", bead_id: "keep-2" });
  });

  test("workspace_id: only that workspace's channel", async () => {
    const c = await stream(`/v1/status/stream?workspace_id=${alice.workspace_id}`, alice);
    await publish(bob, "bead.status_changed", { bead_id: "bob's" });
    await publish(alice, "bead.status_changed", { bead_id: "alice's" });
    expect(await c.nextEvent()).toMatchObject({ workspace_id: alice.workspace_id, bead_id: "alice's" });
  });

  test("workspace_id wins over repo and human_name", async () => {
    const c = await stream(`/v1/status/stream?workspace_id=${bob.workspace_id}&repo=github.com/acme/app&human_name=Alice`, bob);
    await publish(alice, "bead.status_changed", { bead_id: "no" });
    await publish(bob, "bead.status_changed", { bead_id: "yes" });
    expect(await c.nextEvent()).toMatchObject({ workspace_id: bob.workspace_id, bead_id: "yes" });
  });

  test("repo: the repo's live workspaces in the caller's project", async () => {
    const c = await stream("/v1/status/stream?repo=github.com/acme/app", bob);
    await publish(olga, "bead.status_changed", { bead_id: "other project, same repo" });
    await publish(bob, "bead.status_changed", { bead_id: "other repo" });
    await publish(carol, "bead.status_changed", { bead_id: "carol" });
    await publish(alice, "bead.status_changed", { bead_id: "alice" });
    expect((await c.nextEvent()).bead_id).toBe("carol");
    expect((await c.nextEvent()).bead_id).toBe("alice");
  });

  test("human_name: that owner's live workspaces; no filter: the whole project", async () => {
    const byOwner = await stream("/v1/status/stream?human_name=Carol", alice);
    const all = await stream("/v1/status/stream", alice);
    for (const a of [olga, alice, bob, carol]) await publish(a, "bead.status_changed", { bead_id: a.alias });
    expect((await byOwner.nextEvent()).bead_id).toBe("carol");
    expect([(await all.nextEvent()).bead_id, (await all.nextEvent()).bead_id, (await all.nextEvent()).bead_id]).toEqual([
      "alice",
      "bob",
      "carol",
    ]);
  });

  test("limit bounds the project-wide set (most recently updated first)", async () => {
    await t.sql`update server.workspaces set human_name = human_name where workspace_id = ${bob.workspace_id}`;
    const c = await stream("/v1/status/stream?limit=1", alice);
    await publish(alice, "bead.status_changed", { bead_id: "not in the set" });
    await publish(bob, "bead.status_changed", { bead_id: "newest workspace" });
    expect((await c.nextEvent()).bead_id).toBe("newest workspace");
  });

  test("a public reader only ever gets bead events", async () => {
    const c = await stream(`/v1/status/stream?workspace_id=${alice.workspace_id}&event_types=escalation,message`, publicReader(alice));
    await publish(alice, "escalation.created", { escalation_id: "private" });
    await publish(alice, "message.delivered", { message_id: "private" });
    await publish(alice, "reservation.acquired", { paths: ["private"] });
    await publish(alice, "bead.status_changed", { bead_id: "public" });
    expect(await c.nextEvent()).toMatchObject({ type: "bead.status_changed", bead_id: "public" });
  });
});

describe("GET /v1/status/stream: errors", () => {
  test("404s: unknown, deleted or foreign workspace; a repo or owner matching nothing", async () => {
    const cases: [string, string][] = [
      ["/v1/status/stream?workspace_id=00000000-0000-4000-8000-000000000000", "Workspace not found"],
      [`/v1/status/stream?workspace_id=${olga.workspace_id}`, "Workspace not found"],
      [`/v1/status/stream?workspace_id=${lonely.workspace_id}`, "Workspace not found"],
      ["/v1/status/stream?repo=github.com/acme/nothing", "No workspaces found for the provided filter"],
      ["/v1/status/stream?human_name=Nobody", "No workspaces found for the provided filter"],
      ["/v1/status/stream?human_name=Olga", "No workspaces found for the provided filter"],
    ];
    for (const [path, detail] of cases) {
      const res = await t.request("GET", path, { token: alice.api_key });
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 404, body: { detail } });
    }
  });

  test("422s: bad workspace_id, repo, limit, lengths and event types", async () => {
    const list = (type: string, field: string) => [expect.objectContaining({ type, loc: ["query", field] })];
    const valid = "{'reservation', 'message', 'escalation', 'bead', 'chat'}";
    const cases: [string, unknown][] = [
      ["workspace_id=", list("string_too_short", "workspace_id")],
      ["workspace_id=nope", "Invalid workspace_id format"],
      ["repo=not%20a%20repo!", "Invalid repo format: not a repo!"],
      [`repo=${"a".repeat(256)}`, list("string_too_long", "repo")],
      [`human_name=${"a".repeat(65)}`, list("string_too_long", "human_name")],
      ["limit=0", list("greater_than_equal", "limit")],
      ["limit=1001", list("less_than_equal", "limit")],
      ["limit=ten", list("int_parsing", "limit")],
      ["event_types=bead,weather", `Invalid event types: {'weather'}. Valid types: ${valid}`],
      ["event_types=message,", `Invalid event types: {''}. Valid types: ${valid}`],
    ];
    for (const [query, detail] of cases) {
      const res = await t.request("GET", `/v1/status/stream?${query}`, { token: alice.api_key });
      expect({ query, status: res.status, body: res.body }).toEqual({ query, status: 422, body: { detail } });
    }
  });

  test("401 without credentials", async () => {
    const res = await t.request("GET", "/v1/status/stream");
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: "Authentication required" });
  });
});

describe("GET /v1/status/stream: liveness and cleanup", () => {
  test("a keepalive comment after each silence, reset by output", async () => {
    const c = await stream(`/v1/status/stream?workspace_id=${alice.workspace_id}`, alice);
    const t0 = Date.now();
    expect(await c.next(1000)).toBe(": keepalive");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    await Bun.sleep(150);
    await publish(alice, "bead.status_changed", { bead_id: "resets the clock" });
    const t1 = Date.now();
    expect((await c.nextEvent()).bead_id).toBe("resets the clock");
    expect(await c.next(1000)).toBe(": keepalive");
    expect(Date.now() - t1).toBeGreaterThanOrEqual(200);
  });

  test("an empty workspace set sends keepalives only, then closes", async () => {
    const c = await stream("/v1/status/stream", lonely);
    expect(await c.next(1000)).toBe(": keepalive");
    expect(await c.ended(2000)).toBe(true);
  });

  test("a disconnecting client removes its listeners at once; many clients share one subscription", async () => {
    const before = deps.bus.listenerCount();
    const clients: SseClient[] = [];
    for (let i = 0; i < 20; i++) clients.push(await stream("/v1/status/stream", alice)); // 3 workspaces each
    expect(deps.bus.listenerCount()).toBe(before + 60);
    // One Redis subscription per channel for the whole process, not one per client.
    const [, subs] = (await t.redis.call("pubsub", "numsub", t.prefix + channels.workspaceEvents(alice.workspace_id!))) as [string, number];
    expect(Number(subs)).toBe(1);
    for (const c of clients) c.close();
    expect(await waitUntil(() => deps.bus.listenerCount() === before)).toBe(true);
  });

  test("cancelling the body (in-process handle) and shutting down also unsubscribe", async () => {
    const before = deps.bus.listenerCount();
    const res = await t.handle.app.handle(
      new Request(`http://localhost/v1/status/stream?workspace_id=${alice.workspace_id}`, {
        headers: { authorization: `Bearer ${alice.api_key}` },
      }),
    );
    const reader = res.body!.getReader();
    await reader.read();
    expect(deps.bus.listenerCount()).toBe(before + 1);
    await reader.cancel();
    expect(deps.bus.listenerCount()).toBe(before);

    const shutdown = new AbortController();
    const request = new AbortController();
    const direct = statusStreamResponse(deps, {
      workspaceIds: [alice.workspace_id!, bob.workspace_id!],
      categories: null,
      requestSignal: request.signal,
      shutdownSignal: shutdown.signal,
    });
    const c = readSse(direct);
    expect(await c.next()).toBe(": keepalive");
    expect(deps.bus.listenerCount()).toBe(before + 2);
    shutdown.abort();
    expect(deps.bus.listenerCount()).toBe(before);
    expect(await c.ended()).toBe(true);
  });
});

describe("event bus", () => {
  test("a second bus (another process's) receives what this one publishes; duplicates, throwing listeners, idempotent unsubscribe", async () => {
    const other = createRedisBus(t.redis, silentLogger);
    try {
      const got: string[] = [];
      const unsubscribe = other.subscribe(["bus-test", "bus-test"], (m) => got.push(m));
      const thrower = other.subscribe(["bus-test"], () => {
        throw new Error("listener bug");
      });
      await Promise.all([unsubscribe.ready, thrower.ready]);
      expect(other.listenerCount()).toBe(2);
      await deps.bus.publish("bus-test", "one");
      expect(await waitUntil(() => got.length === 1)).toBe(true);
      expect(got).toEqual(["one"]); // once, despite the duplicate channel name and the throwing neighbour
      unsubscribe();
      unsubscribe();
      thrower();
      expect(other.listenerCount()).toBe(0);
      await deps.bus.publish("bus-test", "two");
      await Bun.sleep(50);
      expect(got).toEqual(["one"]);
    } finally {
      await other.close();
    }
  });
});
