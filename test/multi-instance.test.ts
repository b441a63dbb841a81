// Several instances work as one (issue 7): two real server processes on two
// ports over the same Postgres database and the same Redis (same key prefix).
// Nothing that must be shared lives in process memory, so what is done
// through A is seen through B: dashboard events, locks, chat messages.
import { afterAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { createDatabaseFromTemplate, dropDatabase, urlFor } from "./support/db";
import { deleteRedisPrefix, REDIS_URL } from "./support/harness";
import { readSse, type SseClient } from "./support/sse";

const ROOT = new URL("..", import.meta.url).pathname;
const database = await createDatabaseFromTemplate();
const prefix = `test:${database}:`;

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

interface Instance {
  name: string;
  base: string;
  proc: Subprocess;
  stderr: () => string;
}

async function startInstance(name: string): Promise<Instance> {
  const port = await freePort();
  const proc = Bun.spawn([process.execPath, `${ROOT}src/main.ts`, "serve"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      BEADHUB_DATABASE_URL: urlFor(database),
      BEADHUB_REDIS_URL: REDIS_URL,
      BEADHUB_REDIS_PREFIX: prefix,
      BEADHUB_HOST: "127.0.0.1",
      BEADHUB_PORT: String(port),
      BEADHUB_INIT_RATE_LIMIT: "1000000",
      BEADHUB_LOG_LEVEL: "warning",
      BEADHUB_SHUTDOWN_GRACE_SECONDS: "1",
    },
    stdout: "ignore",
    stderr: "pipe",
  });
  let err = "";
  (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) err += new TextDecoder().decode(chunk);
  })();
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`instance ${name} did not start: ${err}`);
    await Bun.sleep(20);
  }
  return { name, base, proc, stderr: () => err };
}

const [a, b] = await Promise.all([startInstance("A"), startInstance("B")]);
const clients: SseClient[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  for (const i of [a, b]) i.proc.kill("SIGTERM");
  await Promise.all([a.proc.exited, b.proc.exited].map((p) => Promise.race([p, Bun.sleep(5000)])));
  for (const i of [a, b]) if (i.proc.exitCode === null) i.proc.kill("SIGKILL");
  await deleteRedisPrefix(prefix);
  await dropDatabase(database);
});

async function call(i: Instance, method: string, path: string, token: string | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(i.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function sse(i: Instance, path: string, token: string): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(i.base + path, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  expect(res.status).toBe(200);
  const c = readSse(res, abort);
  clients.push(c);
  return c;
}

async function init(i: Instance, alias: string) {
  const res = await call(i, "POST", "/v1/init", null, {
    project_slug: "multi",
    alias,
    human_name: "Tester",
    repo_origin: "git@github.com:acme/multi.git",
  });
  expect(res.status).toBe(200);
  return res.body as { api_key: string; workspace_id: string; project_id: string; agent_id: string };
}

// Agents created through different instances share one project.
const alice = await init(a, "alice");
const bob = await init(b, "bob");

describe("two instances, one Postgres, one Redis", () => {
  test("both started and answer health", async () => {
    for (const i of [a, b]) expect((await call(i, "GET", "/health", null)).body.status).toBe("ok");
  });

  test("an escalation created through A reaches a status stream held on B", async () => {
    const stream = await sse(b, `/v1/status/stream?workspace_id=${alice.workspace_id}`, bob.api_key);
    expect(await stream.next()).toBe(": keepalive");
    const created = await call(a, "POST", "/v1/escalations", alice.api_key, {
      workspace_id: alice.workspace_id,
      alias: "alice",
      subject: "From instance A",
      situation: "crossing processes",
    });
    expect(created.status).toBe(200);
    expect(await stream.nextEvent(3000)).toMatchObject({
      type: "escalation.created",
      workspace_id: alice.workspace_id,
      escalation_id: created.body.escalation_id,
      subject: "From instance A",
    });
  });

  test("mail sent through A shows as message.delivered on B", async () => {
    const stream = await sse(b, `/v1/status/stream?workspace_id=${bob.workspace_id}&event_types=message`, bob.api_key);
    expect(await stream.next()).toBe(": keepalive");
    const sent = await call(a, "POST", "/v1/messages", alice.api_key, { to_alias: "bob", subject: "hi", body: "from A" });
    expect(sent.status).toBe(200);
    expect(await stream.nextEvent(3000)).toMatchObject({ type: "message.delivered", message_id: sent.body.message_id, from_alias: "alice" });
  });

  test("a lock taken through A conflicts through B", async () => {
    const key = "src/shared/file.ts";
    const taken = await call(a, "POST", "/v1/reservations", alice.api_key, { resource_key: key, ttl_seconds: 120 });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ status: "acquired", resource_key: key, holder_alias: "alice" });
    const held = await call(b, "POST", "/v1/reservations", bob.api_key, { resource_key: key });
    expect(held.status).toBe(409);
    expect(held.body).toEqual({
      detail: "Reservation is already held",
      holder_agent_id: alice.agent_id,
      holder_alias: "alice",
      expires_at: taken.body.expires_at,
    });
    // released through B (by its holder), it is free through A
    expect((await call(b, "POST", "/v1/reservations/release", alice.api_key, { resource_key: key })).status).toBe(200);
    expect((await call(a, "POST", "/v1/reservations", bob.api_key, { resource_key: key })).status).toBe(200);
  });

  test("a chat message sent through A arrives on a chat stream held on B", async () => {
    const opened = await call(a, "POST", "/v1/chat/sessions", alice.api_key, { to_aliases: ["bob"], message: "first, via A" });
    expect(opened.status).toBe(200);
    const sessionId = opened.body.session_id as string;
    const deadline = new Date(Date.now() + 60_000).toISOString();
    const stream = await sse(b, `/v1/chat/sessions/${sessionId}/stream?deadline=${encodeURIComponent(deadline)}`, bob.api_key);
    // replay of the session's history, then live messages
    expect(await stream.nextEvent(3000)).toMatchObject({ type: "message", message_id: opened.body.message_id, body: "first, via A" });
    // bob's open stream on B is visible to a sender on A
    const second = await call(a, "POST", "/v1/chat/sessions", alice.api_key, { to_aliases: ["bob"], message: "second, via A" });
    expect(second.status).toBe(200);
    expect(second.body.targets_connected).toEqual(["bob"]);
    for (;;) {
      const event = await stream.nextEvent(3000);
      if (event.type !== "message") continue; // read receipts may come first
      expect(event).toMatchObject({ session_id: sessionId, message_id: second.body.message_id, from_agent: "alice", body: "second, via A" });
      break;
    }
  });

  test("both instances give the same snapshot", async () => {
    const [fromA, fromB] = await Promise.all([a, b].map((i) => call(i, "GET", "/v1/status", alice.api_key)));
    expect(fromA.status).toBe(200);
    expect({ ...fromA.body, timestamp: null }).toEqual({ ...fromB.body, timestamp: null });
    expect(fromA.body.workspace.workspace_count).toBe(2);
  });
});
