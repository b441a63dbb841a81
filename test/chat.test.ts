// /v1/chat JSON endpoints (docs/protocol/chat.md).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mintApiKey } from "../src/auth/api-keys";
import { signProxyMessage } from "../src/auth/proxy";
import Redis from "ioredis";
import { keys } from "../src/redis/keys";
import { registerWaiting, unregisterWaiting, waitingBySession } from "../src/chat/waiting";
import { initAgent, startTestApp, type Agent } from "./support/harness";

const SECRET = "chat-test-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$/;
const MISSING = "00000000-0000-4000-8000-000000000000";

let alice: Agent, bob: Agent, carol: Agent, dave: Agent, other: Agent;

const agent = (alias: string, project_slug = "chatproj") => initAgent(t, { alias, project_slug, repo_origin: null });
const send = (from: Agent, to: string[], message: string, extra: Record<string, unknown> = {}) =>
  t.request("POST", "/v1/chat/sessions", { token: from.api_key, body: { to_aliases: to, message, ...extra } });
const history = (who: Agent, sessionId: string, query = "") =>
  t.request("GET", `/v1/chat/sessions/${sessionId}/messages${query}`, { token: who.api_key });
const pending = (who: Agent) => t.request("GET", "/v1/chat/pending", { token: who.api_key });
const markRead = (who: Agent, sessionId: string, upTo: string) =>
  t.request("POST", `/v1/chat/sessions/${sessionId}/read`, { token: who.api_key, body: { up_to_message_id: upTo } });

beforeAll(async () => {
  alice = await agent("alice");
  bob = await agent("bob");
  carol = await agent("carol");
  dave = await agent("dave");
  other = await agent("olga", "otherproj");
});

describe("POST /v1/chat/sessions", () => {
  test("creates a session and answers every field aw decodes", async () => {
    // Exactly what aw v0.4.0 sends: leaving is omitempty.
    const res = await t.request("POST", "/v1/chat/sessions", {
      token: alice.api_key,
      raw: JSON.stringify({ to_aliases: ["bob"], message: "hello bob" }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      ["message_id", "participants", "session_id", "sse_url", "targets_connected", "targets_left"],
    );
    expect(res.body.session_id).toMatch(UUID);
    expect(res.body.message_id).toMatch(UUID);
    expect(res.body.participants).toEqual([
      { agent_id: alice.agent_id, alias: "alice" },
      { agent_id: bob.agent_id, alias: "bob" },
    ]);
    expect(res.body.sse_url).toBe(`/v1/chat/sessions/${res.body.session_id}/stream`);
    expect(res.body.targets_connected).toEqual([]);
    expect(res.body.targets_left).toEqual([]);

    const hash = createHash("sha256").update([alice.agent_id, bob.agent_id].sort().join(",")).digest("hex");
    const rows = await t.sql`select participant_hash from aweb.chat_sessions where session_id = ${res.body.session_id}`;
    expect(rows[0].participant_hash).toBe(hash);
  });

  test("the same participant set always reuses its session, from either side", async () => {
    const a = await send(alice, ["bob"], "one");
    const b = await send(bob, ["alice"], "two");
    const c = await send(alice, [" bob ", "", "bob"], "three");
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    expect(b.body.session_id).toBe(a.body.session_id);
    expect(c.body.session_id).toBe(a.body.session_id);
    expect(new Set([a.body.message_id, b.body.message_id, c.body.message_id]).size).toBe(3);
  });

  test("a different set is a different session; participants are ordered by alias", async () => {
    const pair = await send(alice, ["bob"], "pair");
    const group = await send(carol, ["bob", "alice"], "group");
    expect(group.status).toBe(200);
    expect(group.body.session_id).not.toBe(pair.body.session_id);
    expect(group.body.participants.map((p: { alias: string }) => p.alias)).toEqual(["alice", "bob", "carol"]);
  });

  test("concurrent creates of one set converge on one session", async () => {
    const x = await agent("xena");
    const y = await agent("yuri");
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? send(x, ["yuri"], `x${i}`) : send(y, ["xena"], `y${i}`))),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(new Set(replies.map((r) => r.body.session_id)).size).toBe(1);
    const hash = createHash("sha256").update([x.agent_id, y.agent_id].sort().join(",")).digest("hex");
    const [{ n }] = await t.sql`select count(*)::int as n from aweb.chat_sessions where participant_hash = ${hash}`;
    expect(n).toBe(1);
    const [{ m }] = await t.sql`select count(*)::int as m from aweb.chat_messages where session_id = ${replies[0].body.session_id}`;
    expect(m).toBe(12);
  });

  test("targets_left names targets whose latest message said they were leaving", async () => {
    const p = await agent("pia");
    const q = await agent("quin");
    const bye = await send(q, ["pia"], "bye", { leaving: true });
    expect(bye.status).toBe(200);
    expect(bye.body.targets_left).toEqual([]);
    const again = await send(p, ["quin"], "still there?");
    expect(again.body.targets_left).toEqual(["quin"]);
    await send(q, ["pia"], "back again");
    expect((await send(p, ["quin"], "welcome back")).body.targets_left).toEqual([]);
    const rows = await t.sql`select sender_leaving, hang_on from aweb.chat_messages where message_id = ${bye.body.message_id}`;
    expect(rows[0]).toEqual({ sender_leaving: true, hang_on: false });
  });

  test("targets_connected lists targets with a live waiting entry; stale entries do not count", async () => {
    const first = await send(alice, ["carol"], "ping");
    const key = keys.chatWaiting(first.body.session_id);
    await t.redis.zadd(key, Date.now() / 1000, carol.agent_id);
    expect((await send(alice, ["carol"], "ping2")).body.targets_connected).toEqual(["carol"]);
    await t.redis.zadd(key, Date.now() / 1000 - 120, carol.agent_id);
    expect((await send(alice, ["carol"], "ping3")).body.targets_connected).toEqual([]);
    expect(await t.redis.zscore(key, carol.agent_id)).toBeNull(); // pruned on read
  });

  test("a Redis failure means nobody is waiting, never an error", async () => {
    const broken = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    broken.on("error", () => {});
    const deps = { ...t.handle.deps, redis: broken };
    await registerWaiting(deps, MISSING, alice.agent_id);
    await unregisterWaiting(deps, MISSING, alice.agent_id);
    const waiting = await waitingBySession(deps, [MISSING]);
    expect([...waiting.get(MISSING)!]).toEqual([]);
    broken.disconnect();
  });

  test("an empty message is accepted (§13.11)", async () => {
    const res = await send(alice, ["bob"], "");
    expect(res.status).toBe(200);
  });

  test("self-chat is a 400; unknown, foreign and deleted aliases are 404", async () => {
    expect(await send(alice, ["bob", "alice"], "me")).toMatchObject({ status: 400, body: { detail: "Self-chat is not supported" } });
    expect(await send(alice, ["nobody"], "x")).toMatchObject({ status: 404, body: { detail: "Agent not found" } });
    expect(await send(alice, ["bob", "olga"], "x")).toMatchObject({ status: 404, body: { detail: "Agent not found" } });
    const gone = await agent("gone");
    await t.sql`update aweb.agents set deleted_at = now() where agent_id = ${gone.agent_id}`;
    expect(await send(alice, ["gone"], "x")).toMatchObject({ status: 404, body: { detail: "Agent not found" } });
    // A deleted actor is 404 too (§2.2).
    expect(await send(gone, ["alice"], "x")).toMatchObject({ status: 404, body: { detail: "Agent not found" } });
  });

  test("bad bodies are 422", async () => {
    const cases: [unknown, string][] = [
      [{ to_aliases: ["bob"], message: "x", project_id: alice.project_id }, "extra_forbidden"],
      [{ to_aliases: [], message: "x" }, "too_short"],
      [{ to_aliases: ["", "  "], message: "x" }, "too_short"],
      [{ to_aliases: ["org/bob"], message: "x" }, "value_error"],
      [{ to_aliases: ["bob"] }, "missing"],
      [{ message: "x" }, "missing"],
      [{ to_aliases: "bob", message: "x" }, "list_type"],
      [{ to_aliases: ["bob"], message: "x", leaving: "maybe" }, "bool_type"],
    ];
    for (const [body, type] of cases) {
      const res = await t.request("POST", "/v1/chat/sessions", { token: alice.api_key, body });
      expect(res.status).toBe(422);
      expect(res.body.detail[0].type).toBe(type);
    }
    const garbled = await t.request("POST", "/v1/chat/sessions", {
      token: alice.api_key,
      raw: "{",
      headers: { "content-type": "application/json" },
    });
    expect(garbled.status).toBe(422);
  });
});

describe("authentication", () => {
  test("no key, a bad key, an unbound key and a public reader are refused", async () => {
    const body = { to_aliases: ["bob"], message: "x" };
    const none = await t.request("POST", "/v1/chat/sessions", { body });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: "Authentication required" });
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    const bad = await t.request("GET", "/v1/chat/pending", { token: "aw_sk_" + "0".repeat(64) });
    expect(bad).toMatchObject({ status: 401, body: { detail: "Invalid API key" } });

    const unbound = await mintApiKey(t.sql, alice.project_id, null);
    const u = await t.request("GET", "/v1/chat/sessions", { token: unbound });
    expect(u).toMatchObject({ status: 403, body: { detail: "API key is not bound to an agent" } });

    const message = `v2:${alice.project_id}:p:reader-1:${alice.agent_id}`;
    const reader = await t.request("GET", "/v1/chat/sessions", {
      headers: {
        "x-bh-auth": `${message}:${signProxyMessage(SECRET, message)}`,
        "x-project-id": alice.project_id,
        "x-aweb-actor-id": alice.agent_id,
      },
    });
    expect(reader).toMatchObject({ status: 401, body: { detail: "Authentication required" } });
  });

  test("a signed proxy identity (API key principal) acts as its actor", async () => {
    const keyId = "11111111-2222-4333-8444-555555555555";
    const message = `v2:${alice.project_id}:k:${keyId}:${alice.agent_id}`;
    const res = await t.request("GET", "/v1/chat/sessions", {
      headers: {
        "x-bh-auth": `${message}:${signProxyMessage(SECRET, message)}`,
        "x-project-id": alice.project_id,
        "x-api-key": keyId,
        "x-aweb-actor-id": alice.agent_id,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.sessions.length).toBeGreaterThan(0);
  });
});

describe("GET /v1/chat/sessions", () => {
  test("lists the caller's sessions newest first with aliases ascending", async () => {
    const res = await t.request("GET", "/v1/chat/sessions", { token: bob.api_key });
    expect(res.status).toBe(200);
    const sessions = res.body.sessions;
    expect(sessions.length).toBe(2); // alice+bob, alice+bob+carol
    for (const s of sessions) {
      expect(Object.keys(s).sort()).toEqual(["created_at", "participants", "sender_waiting", "session_id"]);
      expect(s.created_at).toMatch(TS);
      expect(s.participants).toContain("bob");
      expect(s.sender_waiting).toBe(false);
    }
    expect(sessions[0].participants).toEqual(["alice", "bob", "carol"]);
    expect(sessions[1].participants).toEqual(["alice", "bob"]);
    expect(sessions[0].created_at >= sessions[1].created_at).toBe(true);
  });

  test("sender_waiting is true only when another participant has a stream open", async () => {
    const pair = (await send(bob, ["dave"], "hi dave")).body.session_id;
    const key = keys.chatWaiting(pair);
    await t.redis.zadd(key, Date.now() / 1000, bob.agent_id);
    const mine = await t.request("GET", "/v1/chat/sessions", { token: bob.api_key });
    expect(mine.body.sessions.find((s: any) => s.session_id === pair).sender_waiting).toBe(false);
    const theirs = await t.request("GET", "/v1/chat/sessions", { token: dave.api_key });
    expect(theirs.body.sessions.find((s: any) => s.session_id === pair).sender_waiting).toBe(true);
    await t.redis.del(key);
  });

  test("another project sees nothing", async () => {
    const res = await t.request("GET", "/v1/chat/sessions", { token: other.api_key });
    expect(res).toMatchObject({ status: 200, body: { sessions: [] } });
  });
});

describe("GET /v1/chat/pending and POST …/read", () => {
  test("unread counts only others' messages after my receipt; sending advances my receipt", async () => {
    const m = await agent("mia");
    const n = await agent("noah");
    const s = (await send(m, ["noah"], "m1")).body.session_id;
    await send(m, ["noah"], "m2");
    const last = await send(m, ["noah"], "m3");

    const p = await pending(n);
    expect(p.status).toBe(200);
    expect(p.body.messages_waiting).toBe(0);
    const item = p.body.pending.find((x: any) => x.session_id === s);
    expect(Object.keys(item).sort()).toEqual([
      "last_activity", "last_from", "last_message", "participants", "sender_waiting",
      "session_id", "time_remaining_seconds", "unread_count",
    ]);
    expect(item).toMatchObject({
      participants: ["mia", "noah"],
      last_message: "m3",
      last_from: "mia",
      unread_count: 3,
      sender_waiting: false,
      time_remaining_seconds: 0,
    });
    expect(item.last_activity).toMatch(TS);
    // The sender has nothing pending: its own messages never count.
    expect((await pending(m)).body.pending.find((x: any) => x.session_id === s)).toBeUndefined();

    // Noah replies: his receipt moves to his reply, so everything before is read.
    await send(n, ["mia"], "n1");
    expect((await pending(n)).body.pending.find((x: any) => x.session_id === s)).toBeUndefined();
    const forMia = (await pending(m)).body.pending.find((x: any) => x.session_id === s);
    expect(forMia).toMatchObject({ unread_count: 1, last_message: "n1", last_from: "noah" });

    // Mark-read counts others' messages in (old receipt, up_to] and stamps the DB's now().
    await send(n, ["mia"], "n2");
    const r = await markRead(m, s, last.body.message_id);
    expect(r).toMatchObject({ status: 200, body: { success: true, messages_marked: 0 } });
    expect((await pending(m)).body.pending.find((x: any) => x.session_id === s)).toBeUndefined();
    const [rr] = await t.sql`
      select r.last_read_message_id, r.last_read_at >= max(c.created_at) as after_all
      from aweb.chat_read_receipts r join aweb.chat_messages c on c.session_id = r.session_id
      where r.session_id = ${s} and r.agent_id = ${m.agent_id}
      group by r.last_read_message_id, r.last_read_at`;
    expect(rr).toEqual({ last_read_message_id: last.body.message_id, after_all: true });
  });

  test("messages_marked counts only others' messages up to the given one", async () => {
    const a = await agent("abe");
    const b = await agent("bea");
    const s = (await send(a, ["bea"], "a1")).body.session_id;
    const a2 = await send(a, ["bea"], "a2");
    await send(a, ["bea"], "a3");
    const r1 = await markRead(b, s, a2.body.message_id);
    expect(r1.body).toEqual({ success: true, messages_marked: 2 });
    // The receipt is now "now()", so a3 (sent before the call) is read as well.
    const h = await history(b, s, "?unread_only=true");
    expect(h.body.messages).toEqual([]);
    const a4 = await send(a, ["bea"], "a4");
    expect((await history(b, s, "?unread_only=true")).body.messages.map((x: any) => x.body)).toEqual(["a4"]);
    expect((await markRead(b, s, a4.body.message_id)).body).toEqual({ success: true, messages_marked: 1 });
    // Marking an older message again counts nothing.
    expect((await markRead(b, s, a2.body.message_id)).body).toEqual({ success: true, messages_marked: 0 });
  });

  test("messages_waiting counts unread mail", async () => {
    await t.sql`
      insert into aweb.messages (project_id, from_agent_id, to_agent_id, from_alias, body)
      values (${alice.project_id}, ${alice.agent_id}, ${carol.agent_id}, 'alice', 'mail 1'),
             (${alice.project_id}, ${alice.agent_id}, ${carol.agent_id}, 'alice', 'mail 2')`;
    await t.sql`
      insert into aweb.messages (project_id, from_agent_id, to_agent_id, from_alias, body, read_at)
      values (${alice.project_id}, ${alice.agent_id}, ${carol.agent_id}, 'alice', 'read', now())`;
    expect((await pending(carol)).body.messages_waiting).toBe(2);
  });

  test("pending is ordered by last activity, newest first", async () => {
    const z = await agent("zed");
    const s1 = (await send(alice, ["zed"], "first")).body.session_id;
    const s2 = (await send(bob, ["zed"], "second")).body.session_id;
    let order = (await pending(z)).body.pending.map((x: any) => x.session_id);
    expect(order).toEqual([s2, s1]);
    await send(alice, ["zed"], "again");
    order = (await pending(z)).body.pending.map((x: any) => x.session_id);
    expect(order).toEqual([s1, s2]);
  });

  test("mark-read errors", async () => {
    const s = (await send(alice, ["bob"], "for errors")).body;
    const otherSession = (await send(carol, ["dave"], "cd")).body;
    expect(await markRead(bob, s.session_id, otherSession.message_id)).toMatchObject({ status: 404, body: { detail: "Message not found" } });
    expect(await markRead(carol, s.session_id, s.message_id)).toMatchObject({ status: 403, body: { detail: "Not authorized for this session" } });
    expect(await markRead(bob, MISSING, s.message_id)).toMatchObject({ status: 404, body: { detail: "Session not found" } });
    expect(await markRead(other, s.session_id, s.message_id)).toMatchObject({ status: 404, body: { detail: "Session not found" } });
    expect(await markRead(bob, "not-a-uuid", s.message_id)).toMatchObject({ status: 422, body: { detail: "Invalid id format" } });
    const badUpTo = await markRead(bob, s.session_id, "nope");
    expect(badUpTo.status).toBe(422);
    expect(badUpTo.body.detail[0].loc).toEqual(["body", "up_to_message_id"]);
    const extra = await t.request("POST", `/v1/chat/sessions/${s.session_id}/read`, {
      token: bob.api_key,
      body: { up_to_message_id: s.message_id, project_id: bob.project_id },
    });
    expect(extra.status).toBe(422);
    expect(extra.body.detail[0].type).toBe("extra_forbidden");
    const missing = await t.request("POST", `/v1/chat/sessions/${s.session_id}/read`, { token: bob.api_key, body: {} });
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toMatchObject({ type: "missing", loc: ["body", "up_to_message_id"] });
    // Upper-case ids are accepted and normalized.
    expect((await markRead(bob, s.session_id.toUpperCase(), s.message_id.toUpperCase())).status).toBe(200);
  });
});

describe("GET /v1/chat/sessions/{id}/messages", () => {
  test("returns the latest messages oldest first with exactly aw's fields", async () => {
    const h1 = await agent("hal");
    const h2 = await agent("hil");
    let s = "";
    for (let i = 1; i <= 5; i++) s = (await send(i % 2 ? h1 : h2, [i % 2 ? "hil" : "hal"], `msg ${i}`)).body.session_id;
    const all = await history(h1, s);
    expect(all.status).toBe(200);
    expect(all.body.messages.map((m: any) => m.body)).toEqual(["msg 1", "msg 2", "msg 3", "msg 4", "msg 5"]);
    const first = all.body.messages[0];
    expect(Object.keys(first).sort()).toEqual(["body", "from_agent", "message_id", "sender_leaving", "timestamp"]);
    expect(first).toMatchObject({ from_agent: "hal", sender_leaving: false });
    expect(first.timestamp).toMatch(TS);
    const latest = await history(h1, s, "?limit=2");
    expect(latest.body.messages.map((m: any) => m.body)).toEqual(["msg 4", "msg 5"]);
    // aw's exact query for `chat open`. hal sent msg 5 last: nothing unread for him;
    // hil's receipt sits at his msg 4, so msg 5 is unread for him.
    expect((await history(h1, s, "?unread_only=true&limit=1000")).body.messages).toEqual([]);
    const unread = await history(h2, s, "?unread_only=true&limit=1000");
    expect(unread.body.messages.map((m: any) => m.body)).toEqual(["msg 5"]);
    expect((await history(h2, s, "?unread_only=YES")).body.messages.length).toBe(1);
    expect((await history(h2, s, "?unread_only=0")).body.messages.length).toBe(5);
  });

  test("errors: bad id, unknown and foreign sessions, non-participants, bad query", async () => {
    const s = (await send(alice, ["bob"], "hist")).body.session_id;
    expect(await history(alice, "123")).toMatchObject({ status: 422, body: { detail: "Invalid id format" } });
    expect(await history(alice, MISSING)).toMatchObject({ status: 404, body: { detail: "Session not found" } });
    expect(await history(other, s)).toMatchObject({ status: 404, body: { detail: "Session not found" } });
    expect(await history(carol, s)).toMatchObject({ status: 403, body: { detail: "Not authorized for this session" } });
    for (const q of ["?limit=0", "?limit=2001", "?limit=abc", "?unread_only=perhaps"]) {
      const res = await history(alice, s, q);
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc[0]).toBe("query");
    }
    expect((await history(alice, s, "?limit=2000")).status).toBe(200);
    expect((await t.request("GET", `/v1/chat/sessions/${s}/messages`)).status).toBe(401);
  });
});

describe("POST /v1/chat/sessions/{id}/messages", () => {
  test("sends in a session; hang_on extends the wait and is stored", async () => {
    const s = (await send(alice, ["bob"], "need help")).body.session_id;
    // aw's ChatSendMessageRequest (hang_on omitempty).
    const hang = await t.request("POST", `/v1/chat/sessions/${s}/messages`, {
      token: bob.api_key,
      body: { body: "give me a minute", hang_on: true },
    });
    expect(hang.status).toBe(200);
    expect(Object.keys(hang.body).sort()).toEqual(["delivered", "extends_wait_seconds", "message_id"]);
    expect(hang.body).toMatchObject({ delivered: true, extends_wait_seconds: 300 });
    const plain = await t.request("POST", `/v1/chat/sessions/${s}/messages`, { token: bob.api_key, body: { body: "done" } });
    expect(plain.body).toMatchObject({ delivered: true, extends_wait_seconds: 0 });
    const rows = await t.sql`
      select body, from_alias, hang_on, sender_leaving from aweb.chat_messages
      where message_id in (${hang.body.message_id}, ${plain.body.message_id}) order by created_at`;
    expect([...rows]).toEqual([
      { body: "give me a minute", from_alias: "bob", hang_on: true, sender_leaving: false },
      { body: "done", from_alias: "bob", hang_on: false, sender_leaving: false },
    ]);
    // The sender's receipt moved to its message.
    const [r] = await t.sql`select last_read_message_id from aweb.chat_read_receipts where session_id = ${s} and agent_id = ${bob.agent_id}`;
    expect(r.last_read_message_id).toBe(plain.body.message_id);
  });

  test("errors", async () => {
    const s = (await send(alice, ["bob"], "x")).body.session_id;
    const post = (who: Agent, id: string, body: unknown) =>
      t.request("POST", `/v1/chat/sessions/${id}/messages`, { token: who.api_key, body });
    expect(await post(carol, s, { body: "hi" })).toMatchObject({
      status: 403,
      body: { detail: "Not authorized to send messages to this session" },
    });
    expect(await post(other, s, { body: "hi" })).toMatchObject({ status: 404, body: { detail: "Session not found" } });
    expect(await post(alice, MISSING, { body: "hi" })).toMatchObject({ status: 404, body: { detail: "Session not found" } });
    expect(await post(alice, "zzz", { body: "hi" })).toMatchObject({ status: 422, body: { detail: "Invalid id format" } });
    const empty = await post(alice, s, { body: "" });
    expect(empty.status).toBe(422);
    expect(empty.body.detail[0].type).toBe("string_too_short");
    const extra = await post(alice, s, { body: "x", project_id: alice.project_id });
    expect(extra.body.detail[0].type).toBe("extra_forbidden");
  });
});
