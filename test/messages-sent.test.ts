// GET /v1/messages/sent (docs/protocol/dashboard-api.md#get-v1messagessent):
// the caller's sent mail, newest first, paged, scoped to the caller.
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp } from "./support/harness";
import { publicReaderHeaders } from "./support/proxy";
import { encodeCursor } from "../src/http/wire";

const SECRET = "sent-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const alice = await initAgent(t, { project_slug: "sent", alias: "alice" });
const bob = await initAgent(t, { project_slug: "sent", alias: "bob", repo_origin: null });
const carol = await initAgent(t, { project_slug: "sent", alias: "carol", repo_origin: null });
const olga = await initAgent(t, { project_slug: "sent-other", alias: "olga", repo_origin: null });

const send = (token: string, body: Record<string, unknown>) => t.request("POST", "/v1/messages", { token, body });
const sent = (token: string | undefined, qs = "", headers?: Record<string, string>) =>
  t.request("GET", `/v1/messages/sent${qs}`, { token, headers });

const ids: string[] = [];
for (let i = 0; i < 5; i++) {
  const res = await send(alice.api_key, { to_alias: i % 2 ? "carol" : "bob", subject: `s${i}`, body: `b${i}`, priority: "high" });
  ids.push(res.body.message_id);
}
await send(bob.api_key, { to_alias: "alice", subject: "reply", body: "from bob" });
await send(olga.api_key, { to_alias: "olga", subject: "self", body: "other project" });

describe("GET /v1/messages/sent", () => {
  test("the caller's mail, newest first, the inbox item plus the recipient", async () => {
    const res = await sent(alice.api_key);
    expect(res.status).toBe(200);
    expect(res.body.has_more).toBe(false);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.messages.map((m: any) => m.message_id)).toEqual([...ids].reverse());
    const [row] = await t.sql`select created_at from aweb.messages where message_id = ${ids[4]}`;
    expect(res.body.messages[0]).toEqual({
      message_id: ids[4],
      from_agent_id: alice.agent_id,
      from_alias: "alice",
      subject: "s4",
      body: "b4",
      priority: "high",
      thread_id: null,
      read_at: null,
      created_at: row.created_at,
      to_agent_id: bob.agent_id,
      to_alias: "bob",
    });
    expect(res.body.messages[1]).toMatchObject({ to_agent_id: carol.agent_id, to_alias: "carol" });
  });

  test("another agent's mail never appears", async () => {
    const b = await sent(bob.api_key);
    expect(b.body.messages.map((m: any) => m.subject)).toEqual(["reply"]);
    const c = await sent(carol.api_key);
    expect(c.body.messages).toEqual([]);
    const o = await sent(olga.api_key);
    expect(o.body.messages.map((m: any) => m.subject)).toEqual(["self"]);
  });

  test("pages by cursor without loss or repeats", async () => {
    const seen: string[] = [];
    let qs = "?limit=2";
    for (;;) {
      const res = await sent(alice.api_key, qs);
      expect(res.status).toBe(200);
      seen.push(...res.body.messages.map((m: any) => m.message_id));
      if (!res.body.has_more) break;
      qs = `?limit=2&cursor=${res.body.next_cursor}`;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  test("bad limit or cursor: 422; no credentials 401; public reader 401", async () => {
    for (const qs of ["?limit=0", "?limit=501", "?limit=x"]) {
      const res = await sent(alice.api_key, qs);
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(["query", "limit"]);
    }
    for (const cursor of ["***", encodeCursor({ created_at: "2026-01-01T00:00:00Z" }), encodeCursor({ created_at: "x", message_id: ids[0] })]) {
      const res = await sent(alice.api_key, `?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(422);
      expect(res.body.detail).toStartWith("Invalid cursor");
    }
    expect((await sent(undefined)).status).toBe(401);
    const reader = await sent(undefined, "", publicReaderHeaders(SECRET, alice.project_id, alice.agent_id));
    expect(reader.status).toBe(401);
  });
});
