// GET /v1/chat/sessions/{id}/stream (docs/protocol/chat.md).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../src/app";
import { chatStreamResponse } from "../src/chat/stream";
import { silentLogger } from "../src/log";
import { openRedis } from "../src/redis/client";
import { channels, keys } from "../src/redis/keys";
import { EMBEDDED, initAgent, startTestApp, type Agent } from "./support/harness";

const t = await startTestApp();
let base = "";

beforeAll(() => {
  t.handle.app.listen({ port: 0, hostname: "127.0.0.1", reusePort: false });
  base = `http://127.0.0.1:${t.handle.app.server!.port}`;
});
afterAll(async () => {
  t.handle.app.server!.stop(true);
  await t.close();
});

const MISSING = "00000000-0000-4000-8000-000000000000";
const MESSAGE_KEYS = [
  "body", "extends_wait_seconds", "from_agent", "hang_on", "message_id", "sender_leaving",
  "sender_waiting", "session_id", "timestamp", "type",
];
const RECEIPT_KEYS = ["extends_wait_seconds", "reader_alias", "session_id", "timestamp", "type", "up_to_message_id"];

interface Frame {
  event: string | null;
  data: any;
  comment: string | null;
}

function parseBlock(block: string): Frame {
  let event: string | null = null;
  const data: string[] = [];
  const comments: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) comments.push(line.slice(1).trim());
    else if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trim());
  }
  return {
    event,
    data: data.length ? JSON.parse(data.join("\n")) : null,
    comment: data.length || event ? null : comments.join("\n"),
  };
}

const parseAll = (text: string) => text.split("\n\n").filter((b) => b !== "").map(parseBlock);

interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}

/** Reads SSE frames from a response body, with timeouts. */
class SSE {
  private buf = "";
  private queue: Frame[] = [];
  private pending: Promise<{ done: boolean; value?: Uint8Array }> | null = null;
  private decoder = new TextDecoder();
  ended = false;
  raw = "";
  constructor(private reader: ByteReader) {}

  /** Next frame, or null when the stream ended; throws on timeout. */
  async next(timeoutMs = 3000): Promise<Frame | null> {
    const until = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.ended) return null;
      this.pending ??= this.reader.read();
      const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), Math.max(0, until - Date.now())));
      const got = await Promise.race([this.pending, timer]);
      if (got === "timeout") throw new Error(`no SSE frame within ${timeoutMs} ms`);
      this.pending = null;
      if (got.done) {
        this.ended = true;
        continue;
      }
      const text = this.decoder.decode(got.value!, { stream: true });
      this.raw += text;
      this.buf += text;
      let i: number;
      while ((i = this.buf.indexOf("\n\n")) >= 0) {
        this.queue.push(parseBlock(this.buf.slice(0, i)));
        this.buf = this.buf.slice(i + 2);
      }
    }
    return this.queue.shift()!;
  }

  /** Next frame that is an event (keepalives skipped). */
  async nextEvent(timeoutMs = 3000): Promise<Frame | null> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const f = await this.next(Math.max(1, until - Date.now()));
      if (f === null || f.event !== null) return f;
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel();
  }

  /** Collect events until nothing arrives for quietMs. */
  async drain(quietMs: number): Promise<Frame[]> {
    const out: Frame[] = [];
    for (;;) {
      try {
        const f = await this.nextEvent(quietMs);
        if (f === null) return out;
        out.push(f);
      } catch {
        return out;
      }
    }
  }
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
/** Go's time.RFC3339Nano in UTC, as aw v0.4.0 sends the deadline. */
const goNano = (s: number) => inSeconds(s).replace(/\.(\d{3})Z$/, ".$1456789Z");
const q = (v: string) => encodeURIComponent(v);

let alice: Agent, bob: Agent, carol: Agent, olga: Agent;
let counter = 0;
const mk = (alias: string, project_slug = "streams") => initAgent(t, { alias, project_slug, repo_origin: null });
/** Fresh agents, so every test has sessions of its own. */
const fresh = () => Promise.all([mk(`a${++counter}`), mk(`b${counter}`)]);

beforeAll(async () => {
  alice = await mk("alice");
  bob = await mk("bob");
  carol = await mk("carol");
  olga = await mk("olga", "elsewhere");
});

async function chat(from: Agent, to: string[], message: string, extra: Record<string, unknown> = {}) {
  const res = await t.request("POST", "/v1/chat/sessions", { token: from.api_key, body: { to_aliases: to, message, ...extra } });
  expect(res.status).toBe(200);
  return res.body as { session_id: string; message_id: string; targets_connected: string[] };
}

/** Open a stream over the real port. */
async function open(who: Agent, sessionId: string, query = `deadline=${q(goNano(20))}`, signal?: AbortSignal) {
  const res = await fetch(`${base}/v1/chat/sessions/${sessionId}/stream?${query}`, {
    headers: { authorization: `Bearer ${who.api_key}`, accept: "text/event-stream", "cache-control": "no-cache" },
    signal,
  });
  expect(res.status).toBe(200);
  return { res, sse: new SSE(res.body!.getReader()) };
}

/** Insert messages straight into the table (no wake-up is published). */
async function insertRaw(sessionId: string, from: Agent, alias: string, bodies: string[], createdAt: string) {
  const rows = await t.sql<{ message_id: string }[]>`
    insert into aweb.chat_messages (session_id, from_agent_id, from_alias, body, created_at)
    select ${sessionId}, ${from.agent_id}, ${alias}, b, ${createdAt}::timestamptz
    from unnest(${bodies}::text[]) with ordinality as x(b, n)
    returning message_id`;
  return rows.map((r) => r.message_id);
}

describe("pre-stream checks answer JSON errors", () => {
  test("auth, id, session, participant, deadline and after", async () => {
    const s = (await chat(alice, ["bob"], "errors")).session_id;
    const get = (who: Agent | null, id: string, query: string) =>
      t.request("GET", `/v1/chat/sessions/${id}/stream${query}`, who ? { token: who.api_key } : {});
    const d = `?deadline=${q(inSeconds(5))}`;
    expect(await get(null, s, d)).toMatchObject({ status: 401, body: { detail: "Authentication required" } });
    expect(await get(alice, "nope", d)).toMatchObject({ status: 422, body: { detail: "Invalid id format" } });
    expect(await get(alice, MISSING, d)).toMatchObject({ status: 404, body: { detail: "Session not found" } });
    expect(await get(olga, s, d)).toMatchObject({ status: 404, body: { detail: "Session not found" } });
    expect(await get(carol, s, d)).toMatchObject({ status: 403, body: { detail: "Not authorized for this session" } });
    const missing = await get(alice, s, "");
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toMatchObject({ type: "missing", loc: ["query", "deadline"] });
    expect(missing.headers.get("content-type")).toContain("application/json");
    const cases: [string, string][] = [
      ["?deadline=tomorrow", "Invalid deadline format"],
      ["?deadline=2026-02-30T10:00:00Z", "Invalid deadline format"],
      [`?deadline=${q("2026-02-07T11:39:32")}`, "deadline must be timezone-aware"],
      [`${d}&after=yesterday`, "Invalid after format"],
      [`${d}&after=${q("2026-02-07T11:39:32.5")}`, "after must be timezone-aware"],
    ];
    for (const [query, detail] of cases) {
      expect(await get(alice, s, query)).toMatchObject({ status: 422, body: { detail } });
    }
    expect(t.handle.deps.bus.listenerCount()).toBe(0);
  });
});

describe("replay", () => {
  test("without after: keepalive first, the last 50 messages oldest first, then the end at the deadline", async () => {
    const a = await chat(alice, ["carol"], "start");
    // 60 more, one microsecond apart: a millisecond watermark would lose or repeat them.
    const bodies = Array.from({ length: 60 }, (_, i) => `m${i}`);
    await t.sql`
      insert into aweb.chat_messages (session_id, from_agent_id, from_alias, body, created_at)
      select ${a.session_id}, ${carol.agent_id}, 'carol', x.b, now() + x.n * interval '1 microsecond'
      from unnest(${bodies}::text[]) with ordinality as x(b, n)`;
    const started = Date.now();
    const res = await t.request("GET", `/v1/chat/sessions/${a.session_id}/stream?deadline=${q(inSeconds(0.4))}`, {
      token: alice.api_key,
    });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("connection")).toBe("keep-alive");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    expect(res.text.startsWith(": keepalive\n\n")).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2500);
    const events = parseAll(res.text).filter((f) => f.event !== null);
    expect(events.length).toBe(50);
    expect(events.map((e) => e.data.body)).toEqual(bodies.slice(10));
    const first = events[0];
    expect(first.event).toBe("message");
    expect(Object.keys(first.data).sort()).toEqual(MESSAGE_KEYS);
    expect(first.data).toMatchObject({
      type: "message",
      session_id: a.session_id,
      from_agent: "carol",
      sender_leaving: false,
      sender_waiting: false,
      hang_on: false,
      extends_wait_seconds: 0,
    });
    expect(first.data.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00$/);
    // The stream unregistered itself.
    expect(await t.redis.zscore(keys.chatWaiting(a.session_id), alice.agent_id)).toBeNull();
    expect(t.handle.deps.bus.listenerCount()).toBe(0);
  });

  test("with after: only messages created strictly after it, to the microsecond, each once", async () => {
    const s = (await chat(bob, ["carol"], "base")).session_id;
    const T = "2030-05-05T10:00:00.000001+00:00";
    await insertRaw(s, bob, "bob", ["at T"], T);
    await insertRaw(s, bob, "bob", ["T+1"], "2030-05-05T10:00:00.000002+00:00");
    const same = await insertRaw(s, carol, "carol", ["same a", "same b", "same c"], "2030-05-05T10:00:00.000003+00:00");
    // A deadline in the past: replay, then the stream ends at once.
    const res = await t.request(
      "GET",
      `/v1/chat/sessions/${s}/stream?deadline=${q(inSeconds(-1))}&after=${q("2030-05-05T12:00:00.000001+02:00")}`,
      { token: bob.api_key },
    );
    expect(res.status).toBe(200);
    const events = parseAll(res.text).filter((f) => f.event === "message");
    expect(events.length).toBe(4);
    expect(events[0].data.body).toBe("T+1");
    // Equal timestamps come in message_id order (uuid order = lower-case hex order).
    expect(events.slice(1).map((e) => e.data.message_id)).toEqual([...same].sort());
    // No read receipts are replayed.
    expect(parseAll(res.text).some((f) => f.event === "read_receipt")).toBe(false);
  });
});

describe("live delivery over a real port", () => {
  test("aw's chat send --wait flow: own message in the replay, the reply within 1 s, then receipts", async () => {
    const [alice, bob] = await fresh();
    await chat(bob, [alice.alias], "earlier");
    const created = await chat(alice, [bob.alias], "question?");
    const { res, sse } = await open(alice, created.session_id);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("connection")).toBe("keep-alive");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    expect(await sse.next()).toEqual({ event: null, data: null, comment: "keepalive" });
    // Replay ends with the message aw is waiting for; alice herself is now waiting.
    let own: Frame | null = null;
    while (own === null || own.data.message_id !== created.message_id) own = await sse.nextEvent();
    expect(own.data.sender_waiting).toBe(true);

    const sentAt = Date.now();
    const reply = await fetch(`${base}/v1/chat/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${bob.api_key}`, "content-type": "application/json" },
      body: JSON.stringify({ to_aliases: [alice.alias], message: "answer!" }),
    }).then((r) => r.json() as Promise<{ message_id: string; targets_connected: string[] }>);
    expect(reply.targets_connected).toEqual([alice.alias]);
    const msg = await sse.nextEvent(1000);
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(msg!.event).toBe("message");
    expect(msg!.data).toMatchObject({
      type: "message",
      session_id: created.session_id,
      message_id: reply.message_id,
      from_agent: bob.alias,
      body: "answer!",
      sender_leaving: false,
      sender_waiting: false,
      hang_on: false,
      extends_wait_seconds: 0,
    });
    // Sending advanced bob's receipt: alice hears about it.
    const receipt = await sse.nextEvent(1500);
    expect(receipt!.event).toBe("read_receipt");
    expect(Object.keys(receipt!.data).sort()).toEqual(RECEIPT_KEYS);
    expect(receipt!.data).toMatchObject({
      type: "read_receipt",
      session_id: created.session_id,
      reader_alias: bob.alias,
      up_to_message_id: reply.message_id,
      extends_wait_seconds: 300,
      timestamp: msg!.data.timestamp,
    });

    // bob marks read and asks for more time (aw chat open / chat hang-on).
    const read = await t.request("POST", `/v1/chat/sessions/${created.session_id}/read`, {
      token: bob.api_key,
      body: { up_to_message_id: created.message_id },
    });
    expect(read.status).toBe(200);
    const r2 = await sse.nextEvent(1500);
    expect(r2!.data).toMatchObject({ type: "read_receipt", reader_alias: bob.alias, up_to_message_id: created.message_id });
    await t.request("POST", `/v1/chat/sessions/${created.session_id}/messages`, {
      token: bob.api_key,
      body: { body: "hang on", hang_on: true },
    });
    const hang = await nextMessage(sse);
    expect(hang!.data).toMatchObject({ from_agent: bob.alias, hang_on: true, extends_wait_seconds: 300 });
    await chat(bob, [alice.alias], "bye", { leaving: true });
    const bye = await nextMessage(sse);
    expect(bye!.data).toMatchObject({ body: "bye", sender_leaving: true });
    await sse.drain(200);
    await sse.cancel();
  });

  test("equal timestamps are each delivered exactly once, with or without a wake-up", async () => {
    const [alice, carol] = await fresh();
    const created = await chat(carol, [alice.alias], "hi");
    const now = async () => (await t.sql<{ ts: string }[]>`select clock_timestamp() as ts`)[0].ts;
    // 55 messages sharing one timestamp: the replay takes the 50 last in (created_at, id) order.
    const tied = await insertRaw(created.session_id, carol, carol.alias, Array.from({ length: 55 }, (_, i) => `t${i}`), await now());
    const { sse } = await open(alice, created.session_id);
    const replayed = await collectMessages(sse, 50, 3000);
    expect(replayed).toEqual([...tied].sort().slice(5));
    // No wake-up published: the fallback poll must find them, once each.
    const quiet = await insertRaw(created.session_id, carol, carol.alias, ["q1", "q2", "q3", "q4", "q5"], await now());
    let got = await collectMessages(sse, 5, 3000);
    expect(got).toEqual([...quiet].sort());
    // Tied again, announced on the bus like a real send: well within a second.
    const loud = await insertRaw(created.session_id, carol, carol.alias, ["l1", "l2", "l3"], await now());
    await t.handle.deps.bus.publish(channels.chatSession(created.session_id), "message");
    got = await collectMessages(sse, 3, 1000);
    expect(got).toEqual([...loud].sort());
    // Later polls repeat nothing.
    const extra = await sse.drain(1200);
    expect(extra.filter((f) => f.event === "message")).toEqual([]);
    await sse.cancel();
  });

  // Two instances need a shared Redis server: the embedded pass has an in-process one.
  test.skipIf(EMBEDDED)("a send handled by another server instance wakes the stream (no shared memory)", async () => {
    const [alice, bob] = await fresh();
    const created = await chat(alice, [bob.alias], "anyone?");
    // A second app on the same database and Redis prefix, as a second process would be.
    const redis2 = await openRedis(t.config.redisUrl!, { keyPrefix: t.prefix });
    const second = await createApp({ config: t.config, sql: t.sql, redis: redis2, log: silentLogger });
    try {
      const { sse } = await open(alice, created.session_id);
      await sse.drain(300);
      const sentAt = Date.now();
      const res = await second.app.handle(
        new Request("http://localhost/v1/chat/sessions", {
          method: "POST",
          headers: { authorization: `Bearer ${bob.api_key}`, "content-type": "application/json" },
          body: JSON.stringify({ to_aliases: [alice.alias], message: "from the other instance" }),
        }),
      );
      const body = (await res.json()) as { message_id: string; targets_connected: string[] };
      // The waiting registry is shared through Redis too.
      expect(body.targets_connected).toEqual([alice.alias]);
      const msg = await nextMessage(sse, 1000);
      expect(Date.now() - sentAt).toBeLessThan(1000);
      expect(msg.data.message_id).toBe(body.message_id);
      await sse.cancel();
    } finally {
      await second.close();
      redis2.disconnect();
    }
  });

  test("the deadline ends the stream", async () => {
    const [alice, bob] = await fresh();
    const s = (await chat(bob, [alice.alias], "deadline")).session_id;
    const started = Date.now();
    const { sse } = await open(bob, s, `deadline=${q(goNano(1.2))}`);
    const frames: Frame[] = [];
    for (let f = await sse.next(5000); f !== null; f = await sse.next(5000)) frames.push(f);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3500);
    expect(frames[0].comment).toBe("keepalive");
    expect(frames.filter((f) => f.event === "message").length).toBe(1);
  });

  test("a client abort removes the bus listener and the waiting entry", async () => {
    const [alice, bob] = await fresh();
    const created = await chat(alice, [bob.alias], "are you there?");
    const key = keys.chatWaiting(created.session_id);
    const before = t.handle.deps.bus.listenerCount();
    const abort = new AbortController();
    const { sse } = await open(bob, created.session_id, `deadline=${q(goNano(30))}`, abort.signal);
    await sse.drain(300);
    expect(t.handle.deps.bus.listenerCount()).toBe(before + 1);
    expect(await t.redis.zscore(key, bob.agent_id)).not.toBeNull();
    // bob is connected: the sender and the sessions list see it.
    expect((await chat(alice, [bob.alias], "ping")).targets_connected).toEqual([bob.alias]);
    const list = await t.request("GET", "/v1/chat/sessions", { token: alice.api_key });
    expect(list.body.sessions.find((x: any) => x.session_id === created.session_id).sender_waiting).toBe(true);
    const pend = await t.request("GET", "/v1/chat/pending", { token: bob.api_key });
    expect(pend.body.pending.find((x: any) => x.session_id === created.session_id).sender_waiting).toBe(false);

    abort.abort();
    await waitFor(async () => t.handle.deps.bus.listenerCount() === before && (await t.redis.zscore(key, bob.agent_id)) === null);
    expect((await chat(alice, [bob.alias], "gone?")).targets_connected).toEqual([]);
  });

  test("in-process: cancelling the body or aborting the request cleans up too", async () => {
    const s = (await chat(carol, ["bob"], "in-process")).session_id;
    const before = t.handle.deps.bus.listenerCount();
    const abort = new AbortController();
    const url = `http://localhost/v1/chat/sessions/${s}/stream?deadline=${q(goNano(30))}`;
    const headers = { authorization: `Bearer ${bob.api_key}` };
    const r1 = await t.handle.app.handle(new Request(url, { headers, signal: abort.signal }));
    const r2 = await t.handle.app.handle(new Request(url, { headers }));
    const s1 = new SSE(r1.body!.getReader());
    const s2 = new SSE(r2.body!.getReader());
    expect((await s1.next())!.comment).toBe("keepalive");
    expect((await s2.next())!.comment).toBe("keepalive");
    await waitFor(async () => t.handle.deps.bus.listenerCount() === before + 2);
    abort.abort();
    await s2.cancel();
    await waitFor(async () => t.handle.deps.bus.listenerCount() === before);
  });

  test("periodic keepalives and waiting refreshes while idle", async () => {
    const [alice, bob] = await fresh();
    const s = (await chat(alice, [bob.alias], "idle")).session_id;
    const key = keys.chatWaiting(s);
    const abort = new AbortController();
    const res = chatStreamResponse(t.handle.deps, {
      sessionId: s,
      viewerId: bob.agent_id,
      deadlineMs: Date.now() + 5000,
      after: null,
      requestSignal: abort.signal,
      shutdownSignal: new AbortController().signal,
      intervals: { keepaliveMs: 100, refreshMs: 100 },
    });
    const sse = new SSE(res.body!.getReader());
    await waitFor(async () => (await t.redis.zscore(key, bob.agent_id)) !== null);
    const firstScore = Number(await t.redis.zscore(key, bob.agent_id));
    const frames: Frame[] = [];
    for (let i = 0; i < 6; i++) frames.push((await sse.next(1000))!);
    expect(frames.filter((f) => f.comment === "keepalive").length).toBeGreaterThanOrEqual(4);
    expect(Number(await t.redis.zscore(key, bob.agent_id))).toBeGreaterThan(firstScore);
    expect(await t.redis.ttl(key)).toBeGreaterThan(80);
    abort.abort();
    expect(await sse.next(1000)).toBeNull();
    await waitFor(async () => (await t.redis.zscore(key, bob.agent_id)) === null);
  });

  test("server shutdown ends open streams", async () => {
    const s = (await chat(alice, ["carol"], "shutdown")).session_id;
    const { sse } = await open(carol, s);
    await sse.drain(300);
    const started = Date.now();
    t.handle.shutdown.abort();
    for (let f = await sse.next(3000); f !== null; f = await sse.next(3000)) void f;
    expect(Date.now() - started).toBeLessThan(1000);
    await waitFor(async () => t.handle.deps.bus.listenerCount() === 0);
  });
});

async function nextMessage(sse: SSE, timeoutMs = 1500): Promise<Frame> {
  for (;;) {
    const f = await sse.nextEvent(timeoutMs);
    if (f === null) throw new Error("stream ended");
    if (f.event === "message") return f;
  }
}

async function collectMessages(sse: SSE, n: number, timeoutMs: number): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  const ids: string[] = [];
  while (ids.length < n) {
    const f = await sse.nextEvent(Math.max(1, until - Date.now()));
    if (f === null) break;
    if (f.event === "message") ids.push(f.data.message_id);
  }
  return ids;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await Bun.sleep(25);
  }
}
