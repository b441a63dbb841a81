import { afterAll, describe, expect, test } from "bun:test";
import { mintApiKey } from "../src/auth/api-keys";
import { initAgent, startTestApp } from "./support/harness";
import { eventsDuring as eventsDuringOn } from "./support/events";

const t = await startTestApp();
afterAll(() => t.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const alice = await initAgent(t, { project_slug: "mail", alias: "alice" });
const bob = await initAgent(t, { project_slug: "mail", alias: "bob", repo_origin: null });
const carol = await initAgent(t, { project_slug: "mail", alias: "carol", repo_origin: null });
const outsider = await initAgent(t, { project_slug: "mail-other", alias: "olga", repo_origin: null });
const noAgentKey = await mintApiKey(t.sql, alice.project_id, null);

/** Send exactly these bytes, as a Go client would (Content-Type only with a body). */
const sendRaw = (token: string | undefined, raw: string) =>
  t.request("POST", "/v1/messages", { token, raw, headers: { "content-type": "application/json", accept: "application/json" } });
const send = (token: string | undefined, body: unknown) => t.request("POST", "/v1/messages", { token, body });
const inbox = (token: string | undefined, query = "") => t.request("GET", `/v1/messages/inbox${query}`, { token });
const ack = (token: string | undefined, id: string) => t.request("POST", `/v1/messages/${id}/ack`, { token, headers: { accept: "application/json" } });

const eventsDuring = (workspaceId: string, fn: () => Promise<unknown>) => eventsDuringOn(t, workspaceId, fn);

/** Every field aw's InboxMessage decodes, with the type it decodes into. */
function expectInboxMessageShape(m: any) {
  expect(Object.keys(m).sort()).toEqual(
    ["body", "created_at", "from_agent_id", "from_alias", "message_id", "priority", "read_at", "subject", "thread_id"],
  );
  expect(m.message_id).toMatch(UUID);
  expect(m.from_agent_id).toMatch(UUID);
  expect(typeof m.from_alias).toBe("string");
  expect(typeof m.subject).toBe("string");
  expect(typeof m.body).toBe("string");
  expect(["low", "normal", "high", "urgent"]).toContain(m.priority);
  expect(m.thread_id === null || UUID.test(m.thread_id)).toBe(true);
  expect(m.read_at === null || ISO.test(m.read_at)).toBe(true);
  expect(m.created_at).toMatch(ISO);
}

describe("POST /v1/messages", () => {
  test("aw `mail send --to-alias bob --body hi` (subject omitted by omitempty)", async () => {
    const res = await sendRaw(alice.api_key, '{"to_alias":"bob","body":"hi","priority":"normal"}');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message_id: expect.stringMatching(UUID), status: "delivered", delivered_at: expect.stringMatching(ISO) });
    const box = await inbox(bob.api_key);
    expect(box.body.messages[0]).toEqual({
      message_id: res.body.message_id,
      from_agent_id: alice.agent_id,
      from_alias: "alice",
      subject: "",
      body: "hi",
      priority: "normal",
      thread_id: null,
      read_at: null,
      created_at: res.body.delivered_at,
    });
  });

  test("an explicit empty subject is accepted too", async () => {
    const res = await sendRaw(alice.api_key, '{"to_alias":"bob","subject":"","body":"hi","priority":"normal"}');
    expect(res.status).toBe(200);
  });

  test("bdh jump-in notification: to_agent_id only, priority defaults to normal", async () => {
    const res = await sendRaw(carol.api_key, `{"to_agent_id":"${bob.workspace_id ?? bob.agent_id}","body":"carol is joining work on bd-1: x"}`);
    expect(res.status).toBe(200);
    const [m] = (await inbox(bob.api_key, "?limit=1")).body.messages;
    expect(m).toMatchObject({ message_id: res.body.message_id, from_alias: "carol", subject: "", priority: "normal" });
  });

  test("to_agent_id (any spelling) wins over to_alias; thread_id and subject are kept", async () => {
    const thread = crypto.randomUUID();
    const res = await send(alice.api_key, {
      to_agent_id: carol.agent_id.toUpperCase(),
      to_alias: "bob",
      subject: "Re: plan",
      body: "b",
      priority: "urgent",
      thread_id: thread,
    });
    expect(res.status).toBe(200);
    const [m] = (await inbox(carol.api_key, "?limit=1")).body.messages;
    expect(m).toMatchObject({ message_id: res.body.message_id, subject: "Re: plan", priority: "urgent", thread_id: thread });
  });

  test("sending to yourself is allowed; an empty body is accepted server-side", async () => {
    const res = await send(alice.api_key, { to_alias: "alice", body: "" });
    expect(res.status).toBe(200);
    expect((await inbox(alice.api_key, "?limit=1")).body.messages[0]).toMatchObject({ from_alias: "alice", body: "" });
  });

  test("publishes message.delivered on the recipient's channel, without the body", async () => {
    let sent: any;
    const events = await eventsDuring(bob.agent_id, async () => {
      sent = await send(alice.api_key, { to_alias: "bob", subject: "ping", body: "secret body", priority: "high" });
    });
    expect(events).toEqual([
      {
        workspace_id: bob.agent_id,
        type: "message.delivered",
        timestamp: expect.stringMatching(ISO),
        project_slug: "mail",
        message_id: sent.body.message_id,
        from_workspace: alice.agent_id,
        from_alias: "alice",
        subject: "ping",
        priority: "high",
        to_alias: "bob",
      },
    ]);
  });

  const invalidBodies: [string, string][] = [
    ["a project_id selector", `{"to_alias":"bob","body":"x","project_id":"${crypto.randomUUID()}"}`],
    ["an unknown key", '{"to_alias":"bob","body":"x","from_alias":"mallory"}'],
    ["a missing body", '{"to_alias":"bob"}'],
    ["a non-string body", '{"to_alias":"bob","body":5}'],
    ["an unknown priority", '{"to_alias":"bob","body":"x","priority":"critical"}'],
    ["a malformed to_agent_id", '{"to_agent_id":"nope","body":"x"}'],
    ["a malformed thread_id", '{"to_alias":"bob","body":"x","thread_id":"nope"}'],
    ["a blank to_alias", '{"to_alias":"   ","body":"x"}'],
    ["an empty to_alias", '{"to_alias":"","body":"x"}'],
    ["a 65-char to_alias", `{"to_alias":"${"a".repeat(65)}","body":"x"}`],
    ["invalid JSON", '{"to_alias":'],
  ];
  for (const [name, raw] of invalidBodies) {
    test(`422 for ${name}`, async () => {
      const res = await sendRaw(alice.api_key, raw);
      expect(res.status).toBe(422);
      expect(Array.isArray(res.body.detail)).toBe(true);
    });
  }

  test("422 when neither recipient is given", async () => {
    const res = await send(alice.api_key, { body: "x", to_alias: null });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: "Must provide to_agent_id or to_alias" });
  });

  test("404 for unknown, wrong-case, deleted and other-project recipients; nothing stored", async () => {
    const gone = await initAgent(t, { project_slug: "mail", alias: "gone", repo_origin: null });
    await t.sql`update aweb.agents set deleted_at = now() where agent_id = ${gone.agent_id}`;
    const before = (await t.sql`select count(*)::int as n from aweb.messages`)[0].n;
    for (const body of [
      { to_alias: "nobody", body: "x" },
      { to_alias: "Bob", body: "x" },
      { to_alias: "gone", body: "x" },
      { to_agent_id: gone.agent_id, body: "x" },
      { to_alias: "olga", body: "x" },
      { to_agent_id: outsider.agent_id, body: "x" },
      { to_agent_id: crypto.randomUUID(), body: "x" },
    ]) {
      const res = await send(alice.api_key, body);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: "Agent not found" });
    }
    expect((await t.sql`select count(*)::int as n from aweb.messages`)[0].n).toBe(before);
  });

  test("401 without a key or with a bad key, 403 for a key without an agent", async () => {
    const body = '{"to_alias":"bob","body":"x"}';
    expect((await sendRaw(undefined, body)).status).toBe(401);
    const bad = await sendRaw("aw_sk_nope", body);
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ detail: "Invalid API key" });
    const unbound = await sendRaw(noAgentKey, body);
    expect(unbound.status).toBe(403);
    expect(unbound.body).toEqual({ detail: "API key is not bound to an agent" });
  });
});

describe("GET /v1/messages/inbox", () => {
  const dave = initAgent(t, { project_slug: "mail", alias: "dave", repo_origin: null });

  test("newest first, every field aw decodes, limit and unread_only", async () => {
    const d = await dave;
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await send(alice.api_key, { to_alias: "dave", body: `m${n}` })).body.message_id);
    const res = await inbox(d.api_key, "?unread_only=true&limit=200");
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(["messages"]);
    expect(res.body.messages.map((m: any) => m.message_id)).toEqual(ids.reverse());
    res.body.messages.forEach(expectInboxMessageShape);
    expect((await inbox(d.api_key, "?limit=2")).body.messages).toHaveLength(2);

    await ack(d.api_key, ids[0]);
    const unread = await inbox(d.api_key, "?unread_only=TRUE");
    expect(unread.body.messages.map((m: any) => m.message_id)).toEqual(ids.slice(1));
    const all = await inbox(d.api_key, "?unread_only=0");
    expect(all.body.messages).toHaveLength(3);
    expect(all.body.messages[0].read_at).toMatch(ISO);
  });

  test("bdh's legacy query parameters are ignored", async () => {
    const d = await dave;
    const res = await inbox(d.api_key, `?limit=50&unread_only=false&workspace_id=${d.agent_id}&from_alias=alice`);
    expect(res.status).toBe(200);
    expect(res.body.messages).toHaveLength(3);
  });

  test("only the caller's own messages, never another project's", async () => {
    const res = await inbox(outsider.api_key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ messages: [] });
  });

  for (const q of ["?limit=0", "?limit=501", "?limit=x", "?unread_only=maybe"]) {
    test(`422 for ${q}`, async () => {
      const res = await inbox(alice.api_key, q);
      expect(res.status).toBe(422);
      expect(Array.isArray(res.body.detail)).toBe(true);
    });
  }

  test("401 / 403", async () => {
    expect((await inbox(undefined)).status).toBe(401);
    expect((await inbox("aw_sk_bad")).status).toBe(401);
    expect((await inbox(noAgentKey)).status).toBe(403);
  });
});

describe("POST /v1/messages/{id}/ack", () => {
  test("no body: marks read once; a second ack returns the first time", async () => {
    const sent = await send(alice.api_key, { to_alias: "carol", body: "ack me" });
    const first = await ack(carol.api_key, sent.body.message_id);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ message_id: sent.body.message_id, acknowledged_at: expect.stringMatching(ISO) });
    const again = await ack(carol.api_key, sent.body.message_id.toUpperCase());
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const [row] = await t.sql`select read_at from aweb.messages where message_id = ${sent.body.message_id}`;
    expect(row.read_at).toBe(first.body.acknowledged_at);
  });

  test("bdh's legacy JSON body is ignored", async () => {
    const sent = await send(alice.api_key, { to_alias: "carol", body: "legacy" });
    const res = await t.request("POST", `/v1/messages/${sent.body.message_id}/ack`, {
      token: carol.api_key,
      body: { workspace_id: carol.agent_id },
    });
    expect(res.status).toBe(200);
  });

  test("403 for an in-project message addressed to someone else, 404 across projects", async () => {
    const sent = await send(alice.api_key, { to_alias: "bob", body: "for bob" });
    const notMine = await ack(carol.api_key, sent.body.message_id);
    expect(notMine.status).toBe(403);
    expect(notMine.body).toEqual({ detail: "Not authorized to acknowledge this message" });
    const foreign = await ack(outsider.api_key, sent.body.message_id);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: "Message not found" });
    const [row] = await t.sql`select read_at from aweb.messages where message_id = ${sent.body.message_id}`;
    expect(row.read_at).toBeNull();
  });

  test("404 unknown id, 422 malformed id, 401/403 auth", async () => {
    const unknown = await ack(bob.api_key, crypto.randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: "Message not found" });
    const bad = await ack(bob.api_key, "not-a-uuid");
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({ detail: "Invalid message_id format" });
    const id = crypto.randomUUID();
    expect((await ack(undefined, id)).status).toBe(401);
    expect((await ack(noAgentKey, id)).status).toBe(403);
  });
});
