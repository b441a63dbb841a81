// /v1/chat/monitor (docs/protocol/dashboard-api.md#chat-monitor-human-only):
// a human sees every chat session of its project and any transcript.
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp } from "./support/harness";
import { proxyHeaders, publicReaderHeaders } from "./support/proxy";
import { encodeCursor } from "../src/http/wire";

const SECRET = "monitor-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const ann = await initAgent(t, { project_slug: "mon", alias: "ann", repo_origin: null });
const ben = await initAgent(t, { project_slug: "mon", alias: "ben", repo_origin: null });
const cat = await initAgent(t, { project_slug: "mon", alias: "cat", repo_origin: null });
const boss = await initAgent(t, { project_slug: "mon", alias: "boss", agent_type: "human", repo_origin: null });
const other = await initAgent(t, { project_slug: "mon-x", alias: "oz", repo_origin: null });
const otherMate = await initAgent(t, { project_slug: "mon-x", alias: "ozzy", repo_origin: null });
const otherBoss = await initAgent(t, { project_slug: "mon-x", alias: "oboss", agent_type: "human", repo_origin: null });

const chat = async (token: string, to: string[], message: string) => {
  const res = await t.request("POST", "/v1/chat/sessions", { token, body: { to_aliases: to, message } });
  if (res.status !== 200) throw new Error(res.text);
  return res.body as { session_id: string; message_id: string };
};
const monitor = (token: string | undefined, qs = "", headers?: Record<string, string>) =>
  t.request("GET", `/v1/chat/monitor${qs}`, { token, headers });
const transcript = (token: string | undefined, id: string, qs = "", headers?: Record<string, string>) =>
  t.request("GET", `/v1/chat/monitor/${id}/messages${qs}`, { token, headers });

const s1 = await chat(ann.api_key, ["ben"], "hello ben");
await chat(ben.api_key, ["ann"], "hi ann, " + "x".repeat(100));
const s2 = await chat(cat.api_key, ["ann", "ben"], "group");
const sx = await chat(other.api_key, ["ozzy"], "elsewhere");
void otherMate;

describe("GET /v1/chat/monitor", () => {
  test("a human sees every session of the project, latest activity first", async () => {
    const res = await monitor(boss.api_key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(res.body.sessions.map((s: any) => s.session_id)).toEqual([s2.session_id, s1.session_id]);
    const [last] = await t.sql`
      select created_at from aweb.chat_messages where session_id = ${s1.session_id} order by created_at desc limit 1`;
    expect(res.body.sessions[1]).toEqual({
      session_id: s1.session_id,
      participants: [
        { agent_id: ann.agent_id, alias: "ann" },
        { agent_id: ben.agent_id, alias: "ben" },
      ],
      message_count: 2,
      last_message_at: last.created_at,
      last_message_preview: ("hi ann, " + "x".repeat(100)).slice(0, 80),
      last_from_alias: "ben",
    });
    expect(res.body.sessions[0]).toMatchObject({ message_count: 1, last_from_alias: "cat", last_message_preview: "group" });
    expect(res.body.sessions[0].participants.map((p: any) => p.alias)).toEqual(["ann", "ben", "cat"]);
  });

  test("pages with the cursor; another project's human sees only its own", async () => {
    const first = await monitor(boss.api_key, "?limit=1");
    expect(first.body.has_more).toBe(true);
    const second = await monitor(boss.api_key, `?limit=1&cursor=${first.body.next_cursor}`);
    expect([...first.body.sessions, ...second.body.sessions].map((s: any) => s.session_id)).toEqual([s2.session_id, s1.session_id]);
    expect(second.body.has_more).toBe(false);
    const theirs = await monitor(otherBoss.api_key);
    expect(theirs.body.sessions.map((s: any) => s.session_id)).toEqual([sx.session_id]);
  });

  test("humans only: agent 403, public reader 403, no credentials 401; a proxy user passes", async () => {
    const agent = await monitor(ann.api_key);
    expect(agent.status).toBe(403);
    expect(agent.body).toEqual({ detail: "Only a human can do this" });
    const reader = await monitor(undefined, "", publicReaderHeaders(SECRET, ann.project_id, ann.agent_id));
    expect(reader.status).toBe(403);
    expect(reader.body).toEqual({ detail: "Public readers cannot make changes" });
    expect((await monitor(undefined)).status).toBe(401);
    const user = await monitor(undefined, "", proxyHeaders(SECRET, ann.project_id, crypto.randomUUID(), { type: "u" }));
    expect(user.status).toBe(200);
    expect(user.body.sessions).toHaveLength(2);
  });

  test("bad limit or cursor: 422", async () => {
    for (const qs of ["?limit=0", "?limit=201", "?limit=a"]) expect((await monitor(boss.api_key, qs)).status).toBe(422);
    for (const c of ["***", encodeCursor({ activity: "2026-01-01T00:00:00Z" }), encodeCursor({ activity: "x", session_id: s1.session_id })]) {
      const res = await monitor(boss.api_key, `?cursor=${encodeURIComponent(c)}`);
      expect(res.status).toBe(422);
      expect(res.body.detail).toStartWith("Invalid cursor");
    }
  });
});

describe("GET /v1/chat/monitor/{session_id}/messages", () => {
  test("a human reads a transcript it takes no part in, oldest first, in the history item shape", async () => {
    const res = await transcript(boss.api_key, s1.session_id);
    expect(res.status).toBe(200);
    expect(res.body.session_id).toBe(s1.session_id);
    expect(res.body.participants.map((p: any) => p.alias)).toEqual(["ann", "ben"]);
    expect(res.body.messages.map((m: any) => m.body.slice(0, 8))).toEqual(["hello be", "hi ann, "]);
    const history = await t.request("GET", `/v1/chat/sessions/${s1.session_id}/messages`, { token: ann.api_key });
    expect(res.body.messages).toEqual(history.body.messages);
    // reading marks nothing read
    const pending = await t.request("GET", "/v1/chat/pending", { token: ann.api_key });
    expect(pending.body.pending.map((p: any) => p.session_id)).toContain(s1.session_id);
  });

  test("limit takes the latest; before pages back", async () => {
    const latest = await transcript(boss.api_key, s1.session_id, "?limit=1");
    expect(latest.body.messages.map((m: any) => m.from_agent)).toEqual(["ben"]);
    const older = await transcript(boss.api_key, s1.session_id, `?before=${encodeURIComponent(latest.body.messages[0].timestamp)}`);
    expect(older.body.messages.map((m: any) => m.from_agent)).toEqual(["ann"]);
  });

  test("404 for another project's or an unknown session; 422 malformed id or before; 403 agents", async () => {
    for (const id of [sx.session_id, crypto.randomUUID()]) {
      const res = await transcript(boss.api_key, id);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: "Session not found" });
    }
    expect((await transcript(boss.api_key, "nope")).status).toBe(422);
    const naive = await transcript(boss.api_key, s1.session_id, "?before=2026-01-01T00:00:00");
    expect(naive.status).toBe(422);
    expect(naive.body).toEqual({ detail: "before must be timezone-aware" });
    expect((await transcript(boss.api_key, s1.session_id, "?limit=0")).status).toBe(422);
    const agent = await transcript(ann.api_key, s1.session_id);
    expect(agent.status).toBe(403);
    expect(agent.body).toEqual({ detail: "Only a human can do this" });
    expect((await transcript(undefined, s1.session_id)).status).toBe(401);
  });
});
