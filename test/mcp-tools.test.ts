// Every MCP tool's success and failure path (failure = a result with isError),
// presence written only for the authenticated agent, tool selection, and
// tenant isolation over MCP. Results are checked against each tool's
// outputSchema by the server itself (checkResponses is on in tests).
import { afterAll, describe, expect, test } from "bun:test";
import { signProxyMessage } from "../src/auth/proxy";
import { loadConfig } from "../src/config";
import { CORE_TOOLS, selectTools } from "../src/mcp/catalog";
import { readPresence } from "../src/presence/presence";
import { initAgent, startTestApp, type Agent, type TestApp } from "./support/harness";

const SECRET = "mcp-tools-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const alice = await initAgent(t, { project_slug: "tools", alias: "alice", human_name: "Alice", role: "developer" });
const bob = await initAgent(t, { project_slug: "tools", alias: "bob", human_name: "Bob" });
const carol = await initAgent(t, { project_slug: "tools", alias: "carol", human_name: "Carol" });
const olga = await initAgent(t, { project_slug: "tools-other", alias: "olga", human_name: "Olga" });

const REPO = "github.com/acme/app";
await t.request("POST", "/v1/beads/upload", {
  token: alice.api_key,
  body: {
    repo: REPO,
    branch: "main",
    issues: [
      { id: "bd-1", title: "Ready one", status: "open", priority: 1, issue_type: "task", description: "Do the thing" },
      { id: "bd-2", title: "Blocked", status: "open", priority: 2, issue_type: "bug", dependencies: [{ depends_on_id: "bd-3", type: "blocks" }] },
      { id: "bd-3", title: "Blocker", status: "in_progress", priority: 0, issue_type: "task" },
    ],
  },
});

interface Outcome {
  status: number;
  isError: boolean;
  text: string;
  data: any;
  error?: { code: number; message: string };
}

async function callOn(app: TestApp, who: Agent | Record<string, string>, name: string, args: Record<string, unknown> = {}): Promise<Outcome> {
  const headers: Record<string, string> = { "content-type": "application/json", "mcp-protocol-version": "2025-06-18" };
  const token = "api_key" in who ? (who as Agent).api_key : undefined;
  if (!token) Object.assign(headers, who);
  const res = await app.request("POST", "/mcp", {
    token,
    headers,
    body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } },
  });
  const result = res.body?.result;
  return {
    status: res.status,
    isError: result?.isError === true,
    text: result?.content?.[0]?.text ?? "",
    data: result?.structuredContent,
    error: res.body?.error,
  };
}
const call = (who: Agent | Record<string, string>, name: string, args: Record<string, unknown> = {}) => callOn(t, who, name, args);

async function ok(who: Agent | Record<string, string>, name: string, args: Record<string, unknown> = {}) {
  const r = await call(who, name, args);
  expect({ name, status: r.status, isError: r.isError, error: r.error }).toEqual({ name, status: 200, isError: false, error: undefined });
  expect(JSON.parse(r.text)).toEqual(r.data);
  return r.data;
}

async function fails(who: Agent | Record<string, string>, name: string, args: Record<string, unknown>, text: string | RegExp) {
  const r = await call(who, name, args);
  expect({ name, status: r.status, isError: r.isError, data: r.data, error: r.error, text: r.isError ? "" : r.text }).toEqual({ name, status: 200, isError: true, data: undefined, error: undefined, text: "" });
  if (typeof text === "string") expect(r.text).toBe(text);
  else expect(r.text).toMatch(text);
}

/** Signed proxy headers: `u` user acting as a non-agent, `p` public reader. */
function proxy(kind: "u" | "p", actor: string = crypto.randomUUID()): Record<string, string> {
  const message = `v2:${alice.project_id}:${kind}:${crypto.randomUUID()}:${actor}`;
  return {
    "x-bh-auth": `${message}:${signProxyMessage(SECRET, message)}`,
    "x-project-id": alice.project_id,
    ...(kind === "u" ? { "x-user-id": message.split(":")[3] } : {}),
    "x-aweb-actor-id": actor,
  };
}

describe("identity and start", () => {
  test("whoami: the key's agent; a proxy user without an agent is refused", async () => {
    expect(await ok(alice, "whoami")).toMatchObject({
      agent_id: alice.agent_id,
      alias: "alice",
      human_name: "Alice",
      project_id: alice.project_id,
      workspace_id: alice.workspace_id,
      role: "developer",
    });
    await fails(proxy("u"), "whoami", {}, "Agent not found");
  });

  test("heartbeat writes presence for the authenticated agent; public readers are refused", async () => {
    const r = await ok(bob, "heartbeat", { program: "claude-code", model: "m1" });
    expect(r).toMatchObject({ alias: "bob", workspace_id: bob.workspace_id });
    const p = (await readPresence(t.handle.deps, [bob.workspace_id!])).get(bob.workspace_id!);
    expect(p).toMatchObject({ alias: "bob", program: "claude-code", model: "m1" });
    await fails(proxy("p"), "heartbeat", {}, "Authentication required");
  });

  test("register_agent never files presence under another alias (issue 19 defect 5)", async () => {
    await t.redis.del(`presence:${carol.workspace_id}`);
    await fails(carol, "register_agent", { alias: "alice" }, "alias 'alice' is not the authenticated agent's alias ('carol')");
    // Nothing written for carol's workspace, nothing under alice's name by carol.
    expect((await readPresence(t.handle.deps, [carol.workspace_id!])).get(carol.workspace_id!)).toBeUndefined();
    // Another agent's workspace is refused too (actor binding).
    await fails(carol, "register_agent", { workspace_id: alice.workspace_id }, "workspace_id does not match API key identity");
    const r = await ok(carol, "register_agent", { alias: "carol", program: "cursor" });
    expect(r.alias).toBe("carol");
    expect((await readPresence(t.handle.deps, [carol.workspace_id!])).get(carol.workspace_id!)).toMatchObject({ alias: "carol" });
  });

  test("start_session: who I am, playbook, mail, chats, locks, ready issues", async () => {
    await ok(bob, "send_message", { to: ["alice"], subject: "hello", body: "welcome aboard" });
    await ok(bob, "chat_send", { to: ["alice"], message: "ping?" });
    await ok(alice, "lock_acquire", { paths: ["start/session.ts"] });
    const s = await ok(alice, "start_session");
    expect(s.you).toMatchObject({ alias: "alice", role: "developer" });
    expect(s.policy.selected_role).toMatchObject({ role: "developer" });
    expect(s.policy.invariants.length).toBeGreaterThan(0);
    expect(s.unread_mail.some((m: any) => m.subject === "hello" && m.from_alias === "bob")).toBe(true);
    expect(s.pending_chats.length).toBeGreaterThan(0);
    expect(s.locks.map((l: any) => l.resource_key)).toContain("start/session.ts");
    expect(s.ready_issues.map((i: any) => i.bead_id)).toContain("bd-1");
    expect(s.next_steps).toContain("claim_issue");
    await fails(proxy("u"), "start_session", {}, "Agent not found");
    await ok(alice, "lock_release", { paths: ["start/session.ts"] });
  });
});

describe("callers that are not an agent", () => {
  test("tools that act as an agent refuse a public reader (401 text) and a proxy user without an agent", async () => {
    for (const [name, args] of [
      ["lock_list", {}],
      ["fetch_inbox", {}],
      ["chat_pending", {}],
      ["list_claims", { mine: true }],
      ["list_escalations", {}],
      ["send_message", { to: ["bob"], body: "x" }],
    ] as [string, Record<string, unknown>][]) {
      await fails(proxy("p"), name, args, "Authentication required");
      await fails(proxy("u"), name, args, "Agent not found");
    }
    // Reads of the project stay open to a public reader, with names redacted.
    await ok(alice, "claim_issue", { bead_id: "bd-3" });
    const claims = await ok(proxy("p"), "list_claims", {});
    expect(claims.claims.map((c: any) => [c.bead_id, c.human_name])).toEqual([["bd-3", ""]]);
    expect((await ok(proxy("p"), "status", {})).escalations_pending).toBe(0);
    await ok(alice, "release_issue", { bead_id: "bd-3" });
  });
});

describe("an agent without a workspace", () => {
  test("start_session and whoami work; tools that need a workspace say so", async () => {
    const solo = await initAgent(t, { project_slug: "tools", alias: "solo", human_name: "Solo", repo_origin: null });
    expect(await ok(solo, "whoami")).toMatchObject({ alias: "solo", workspace_id: null, role: null });
    const s = await ok(solo, "start_session");
    expect(s.you.workspace_id).toBeNull();
    expect(s.claims).toEqual([]);
    expect(s.policy.selected_role).toBeNull();
    await fails(solo, "escalate", { subject: "x", situation: "y" }, "Workspace not found or does not belong to your project");
  });
});

describe("issues, status, team, policy", () => {
  test("list_issues / get_issue / ready_issues", async () => {
    const list = await ok(alice, "list_issues", { status: ["open"] });
    expect(list.issues.map((i: any) => i.bead_id).sort()).toEqual(["bd-1", "bd-2"]);
    expect(list.has_more).toBe(false);
    const paged = await ok(alice, "list_issues", { limit: 1 });
    expect(paged.count).toBe(1);
    expect(paged.has_more).toBe(true);
    const next = await ok(alice, "list_issues", { limit: 1, cursor: paged.next_cursor });
    expect(next.issues[0].bead_id).not.toBe(paged.issues[0].bead_id);
    await fails(alice, "list_issues", { repo: "not a repo" }, "Invalid repo: not a repo");

    expect(await ok(alice, "get_issue", { bead_id: "bd-1" })).toMatchObject({ bead_id: "bd-1", title: "Ready one", description: "Do the thing" });
    await fails(alice, "get_issue", { bead_id: "bd-404" }, "Issue not found");

    const ready = await ok(alice, "ready_issues", {});
    expect(ready.issues.map((i: any) => i.bead_id)).toEqual(["bd-1"]);
    await fails(alice, "ready_issues", { branch: "-bad" }, "Invalid branch name: -bad");
  });

  test("status and workspace_team", async () => {
    const s = await ok(alice, "status");
    expect(s.workspace).toMatchObject({ project_id: alice.project_id, project_slug: "tools" });
    const mine = await ok(alice, "status", { workspace_id: alice.workspace_id });
    expect(mine.workspace.workspace_id).toBe(alice.workspace_id);
    await fails(alice, "status", { workspace_id: olga.workspace_id }, "Workspace not found");

    const team = await ok(alice, "workspace_team", {});
    expect(team.workspaces.map((w: any) => w.alias)).toContain("bob");
    await fails(alice, "workspace_team", { repo: "no pe" }, /^Invalid repo/);
  });

  test("get_policy: my role's playbook by default, another role on request, unknown role refused", async () => {
    const mine = await ok(alice, "get_policy");
    expect(mine.selected_role.role).toBe("developer");
    expect(Object.keys(mine.roles)).toEqual(["developer"]);
    const other = await ok(alice, "get_policy", { role: "reviewer" });
    expect(other.selected_role.role).toBe("reviewer");
    await fails(alice, "get_policy", { role: "astronaut" }, /^Role 'astronaut' not found/);
  });
});

describe("claims", () => {
  test("claim, refused for another agent (naming the holder), list, release; a human may release any", async () => {
    const claimed = await ok(alice, "claim_issue", { bead_id: "bd-1" });
    expect(claimed).toMatchObject({ bead_id: "bd-1", workspace_id: alice.workspace_id, alias: "alice", title: "Ready one" });
    await fails(bob, "claim_issue", { bead_id: "bd-1" }, /^bd-1 is being worked on by alice/);
    await fails(bob, "claim_issue", { bead_id: "bd-9", workspace_id: alice.workspace_id }, "workspace_id does not match API key identity");
    await fails(proxy("p"), "claim_issue", { bead_id: "bd-9" }, "Public readers cannot make changes");
    // A value the database cannot store is the caller's mistake, as on REST: never an internal error.
    await fails(alice, "claim_issue", { bead_id: "bd\u0000x" }, "bead_id must be 1-255 characters without NUL");

    const all = await ok(bob, "list_claims", {});
    expect(all.claims.map((x: any) => [x.bead_id, x.alias])).toEqual([["bd-1", "alice"]]);
    expect((await ok(bob, "list_claims", { mine: true })).claims).toEqual([]);
    const start = await ok(alice, "start_session");
    expect(start.claims.map((x: any) => x.bead_id)).toEqual(["bd-1"]);

    // bob cannot release alice's claim: it is not his to release.
    expect(await ok(bob, "release_issue", { bead_id: "bd-1" })).toEqual({ released: false, bead_id: "bd-1", workspace_id: bob.workspace_id });
    await fails(bob, "release_issue", { bead_id: "bd-1", workspace_id: alice.workspace_id }, "workspace_id does not match API key identity");
    expect(await ok(alice, "release_issue", { bead_id: "bd-1" })).toEqual({ released: true, bead_id: "bd-1", workspace_id: alice.workspace_id });
    expect((await ok(bob, "list_claims", {})).claims).toEqual([]);
  });
});

describe("locks", () => {
  test("acquire is all or nothing and names the holder; renew, release, list, release_all", async () => {
    const a = await ok(alice, "lock_acquire", { paths: ["src/a.ts", "src/*.md"], ttl_seconds: 120, reason: "bd-1" });
    expect(a.locks.map((l: any) => l.resource_key)).toEqual(["src/a.ts", "src/*.md"]);
    expect(a.locks[0].holder_alias).toBe("alice");

    await fails(bob, "lock_acquire", { paths: ["src/b.ts", "src/a.ts"] }, /^src\/a\.ts is locked by alice until /);
    // src/b.ts was given back: bob's refused call changed nothing.
    const free = await ok(carol, "lock_acquire", { paths: ["src/b.ts"] });
    expect(free.locks[0].holder_alias).toBe("carol");
    await fails(bob, "lock_acquire", { paths: ["x"], exclusive: false }, "Shared locks are not supported: every lock is exclusive");

    const renewed = await ok(alice, "lock_renew", { paths: ["src/a.ts"], ttl_seconds: 600 });
    expect(renewed.renewed[0].resource_key).toBe("src/a.ts");
    await fails(bob, "lock_renew", { paths: ["src/a.ts"] }, "Reservation held by another agent");
    await fails(bob, "lock_renew", { paths: ["nothing/here"] }, "Reservation not found");

    const list = await ok(bob, "lock_list", {});
    expect(list.locks.map((l: any) => l.resource_key).sort()).toEqual(["src/*.md", "src/a.ts", "src/b.ts"]);
    expect((await ok(alice, "lock_list", { mine: true })).count).toBe(2);

    await fails(bob, "lock_release", { paths: ["src/a.ts"] }, "Reservation held by another agent");
    expect(await ok(alice, "lock_release", { paths: ["src/a.ts"] })).toEqual({ released: ["src/a.ts"] });
    const all = await ok(alice, "lock_release_all", {});
    expect(all).toMatchObject({ released_count: 1, released: ["src/*.md"] });
    await fails(alice, "lock_release_all", { prefix: "src/b" }, "Cannot revoke reservations held by other agents");
    await ok(carol, "lock_release_all", {});
  });
});

describe("mail", () => {
  test("send to several, fetch, acknowledge, reply in the thread; unknown alias sends nothing", async () => {
    const sent = await ok(alice, "send_message", { to: ["bob", "carol"], subject: "Plan", body: "Let us split bd-1", priority: "high" });
    expect(sent.sent.map((s: any) => s.to_alias)).toEqual(["bob", "carol"]);
    const before = (await t.sql`select count(*)::int as n from aweb.messages`)[0].n;
    await fails(alice, "send_message", { to: ["bob", "nobody"], body: "x" }, "Agent not found: nobody");
    expect((await t.sql`select count(*)::int as n from aweb.messages`)[0].n).toBe(before);

    const inbox = await ok(bob, "fetch_inbox", {});
    const plan = inbox.messages.find((m: any) => m.subject === "Plan");
    expect(plan).toMatchObject({ from_alias: "alice", priority: "high", read_at: null });

    const replied = await ok(bob, "reply_message", { message_id: plan.message_id, body: "Taking the first half" });
    expect(replied.to_alias).toBe("alice");
    const aliceInbox = await ok(alice, "fetch_inbox", { unread_only: true });
    const answer = aliceInbox.messages.find((m: any) => m.message_id === replied.message_id);
    expect(answer).toMatchObject({ subject: "Re: Plan", thread_id: plan.message_id, from_alias: "bob" });
    await fails(carol, "reply_message", { message_id: replied.message_id, body: "me too" }, "Not authorized to reply to this message");

    const ack = await ok(bob, "acknowledge_message", { message_id: plan.message_id });
    expect(ack.message_id).toBe(plan.message_id);
    expect((await ok(bob, "fetch_inbox", {})).messages.some((m: any) => m.message_id === plan.message_id)).toBe(false);
    await fails(carol, "acknowledge_message", { message_id: plan.message_id }, "Not authorized to acknowledge this message");
    await fails(bob, "acknowledge_message", { message_id: crypto.randomUUID() }, "Message not found");
  });
});

describe("chat", () => {
  test("send, pending, history, mark read; bad combinations and foreign sessions refused", async () => {
    const first = await ok(alice, "chat_send", { to: ["carol"], message: "quick question" });
    expect(first).toMatchObject({ replies: [], timed_out: false });
    const pending = await ok(carol, "chat_pending", {});
    const entry = pending.pending.find((p: any) => p.session_id === first.session_id);
    expect(entry.unread_count).toBe(1);
    const hist = await ok(carol, "chat_history", { session_id: first.session_id });
    expect(hist.messages.map((m: any) => m.body)).toEqual(["quick question"]);
    const read = await ok(carol, "chat_mark_read", { session_id: first.session_id, up_to_message_id: first.message_id });
    expect(read).toEqual({ success: true, messages_marked: 1 });
    expect((await ok(carol, "chat_pending", {})).pending.some((p: any) => p.session_id === first.session_id)).toBe(false);

    await fails(alice, "chat_send", { message: "to whom?" }, "Give either to or session_id");
    await fails(alice, "chat_send", { to: ["carol"], session_id: first.session_id, message: "both" }, "Give either to or session_id");
    await fails(bob, "chat_history", { session_id: first.session_id }, "Not authorized for this session");
    await fails(alice, "chat_send", { to: ["ghost"], message: "hi" }, "Agent not found");
    await fails(carol, "chat_mark_read", { session_id: first.session_id, up_to_message_id: crypto.randomUUID() }, "Message not found");
  });

  test("chat_send waits for the answer; times out when none comes", async () => {
    const start = await ok(alice, "chat_send", { to: ["bob"], message: "are you there?" });
    const waiting = call(alice, "chat_send", { session_id: start.session_id, message: "need an answer", wait_seconds: 10 });
    // bob sees alice waiting, then answers.
    let seen = false;
    for (let i = 0; i < 50 && !seen; i++) {
      const p = await ok(bob, "chat_pending", {});
      seen = p.pending.some((x: any) => x.session_id === start.session_id && x.sender_waiting);
      if (!seen) await Bun.sleep(50);
    }
    expect(seen).toBe(true);
    await ok(bob, "chat_send", { session_id: start.session_id, message: "yes, go ahead" });
    const r = await waiting;
    expect(r.isError).toBe(false);
    expect(r.data.timed_out).toBe(false);
    expect(r.data.replies.map((m: any) => [m.from_agent, m.body])).toEqual([["bob", "yes, go ahead"]]);

    const t0 = Date.now();
    const silent = await ok(alice, "chat_send", { session_id: start.session_id, message: "anyone?", wait_seconds: 1 });
    expect(silent).toMatchObject({ replies: [], timed_out: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });
});

describe("escalations", () => {
  test("escalate, get, list mine; a human answers over REST", async () => {
    const e = await ok(alice, "escalate", { subject: "Schema change?", situation: "Need a column", options: ["yes", "no"] });
    expect(e.status).toBe("pending");
    const res = await t.request("POST", `/v1/escalations/${e.escalation_id}/respond`, { token: bob.api_key, body: { response: "yes", note: "go" } });
    expect(res.status).toBe(200);
    expect(await ok(alice, "get_escalation", { escalation_id: e.escalation_id })).toMatchObject({
      escalation_id: e.escalation_id,
      status: "responded",
      response: "yes",
      response_note: "go",
    });
    await fails(alice, "get_escalation", { escalation_id: crypto.randomUUID() }, "Escalation not found");
    const mine = await ok(alice, "list_escalations", {});
    expect(mine.escalations.map((x: any) => x.escalation_id)).toContain(e.escalation_id);
    expect((await ok(bob, "list_escalations", {})).escalations).toEqual([]);
    expect((await ok(bob, "list_escalations", { mine: false })).escalations.length).toBeGreaterThan(0);
    await fails(alice, "escalate", { subject: "x", situation: "y", workspace_id: bob.workspace_id }, "workspace_id does not match API key identity");
  });
});

describe("tenant isolation over MCP", () => {
  test("a key of another project sees nothing of this one", async () => {
    const e = await ok(alice, "escalate", { subject: "secret", situation: "internal" });
    const chat = await ok(alice, "chat_send", { to: ["bob"], message: "private" });
    const mail = await ok(alice, "send_message", { to: ["bob"], body: "private mail" });
    await ok(alice, "lock_acquire", { paths: ["secret/file.ts"] });

    expect((await ok(olga, "list_issues", {})).issues).toEqual([]);
    expect((await ok(olga, "ready_issues", {})).issues).toEqual([]);
    await fails(olga, "get_issue", { bead_id: "bd-1" }, "Issue not found");
    expect((await ok(olga, "lock_list", {})).locks).toEqual([]);
    expect((await ok(olga, "status", {})).claims).toEqual([]);
    await ok(alice, "claim_issue", { bead_id: "bd-1" });
    expect((await ok(olga, "list_claims", {})).claims).toEqual([]);
    await fails(olga, "claim_issue", { bead_id: "bd-1", workspace_id: alice.workspace_id }, "workspace_id does not match API key identity");
    // the same bead id in olga's own project is hers to claim: claims are per project.
    expect((await ok(olga, "claim_issue", { bead_id: "bd-1" })).alias).toBe("olga");
    expect((await ok(olga, "workspace_team", {})).workspaces.map((w: any) => w.alias)).toEqual(["olga"]);
    expect((await ok(olga, "list_escalations", { mine: false })).escalations).toEqual([]);
    await fails(olga, "get_escalation", { escalation_id: e.escalation_id }, "Escalation not found");
    await fails(olga, "chat_history", { session_id: chat.session_id }, "Session not found");
    await fails(olga, "acknowledge_message", { message_id: mail.sent[0].message_id }, "Message not found");
    await fails(olga, "send_message", { to: ["alice"], body: "hi" }, "Agent not found: alice");
    await fails(olga, "chat_send", { to: ["alice"], message: "hi" }, "Agent not found");
    await fails(olga, "status", { workspace_id: alice.workspace_id }, "Workspace not found");
    // olga may lock the same path in her own project: keys are per project.
    expect((await ok(olga, "lock_acquire", { paths: ["secret/file.ts"] })).locks[0].holder_alias).toBe("olga");
  });
});

describe("BEADHUB_MCP_TOOLS", () => {
  test("core is at most 15 tools; a list shows only those; unknown names are a config error", async () => {
    expect(CORE_TOOLS.length).toBeLessThanOrEqual(15);
    expect(selectTools("core").map((x) => x.name)).toEqual(selectTools("full").map((x) => x.name).filter((n) => (CORE_TOOLS as readonly string[]).includes(n)));
    expect(loadConfig({ BEADHUB_MCP_TOOLS: "whoami, status" }).mcpTools).toEqual(["whoami", "status"]);
    expect(loadConfig({}).mcpTools).toBe("full");
    expect(() => loadConfig({ BEADHUB_MCP_TOOLS: "Who Am I" })).toThrow("BEADHUB_MCP_TOOLS");
    expect(() => selectTools(["whoami", "rm_rf"])).toThrow("names unknown tools: rm_rf");
    expect(() => loadConfig({ BEADHUB_MCP_ALLOWED_ORIGINS: "https://a.example/path" })).toThrow("BEADHUB_MCP_ALLOWED_ORIGINS");
    expect(loadConfig({ BEADHUB_MCP_ALLOWED_ORIGINS: "https://a.example, http://localhost:3000" }).mcpAllowedOrigins).toEqual([
      "https://a.example",
      "http://localhost:3000",
    ]);

    const small = await startTestApp({ config: { mcpTools: ["whoami", "status"] } });
    try {
      const agent = await initAgent(small, { project_slug: "small", alias: "solo" });
      const list = await small.request("POST", "/mcp", {
        token: agent.api_key,
        body: { jsonrpc: "2.0", id: 1, method: "tools/list" },
      });
      expect(list.body.result.tools.map((x: any) => x.name)).toEqual(["whoami", "status"]);
      const hidden = await callOn(small, agent, "lock_list", {});
      expect(hidden.error).toEqual({ code: -32602, message: "Unknown tool: lock_list" });
    } finally {
      await small.close();
    }
  });
});

// Last in this file: it aborts the app's shutdown signal.
describe("shutdown", () => {
  test("a chat_send wait ends when the server shuts down", async () => {
    const start = await ok(alice, "chat_send", { to: ["carol"], message: "still there?" });
    const t0 = Date.now();
    const waiting = call(alice, "chat_send", { session_id: start.session_id, message: "waiting", wait_seconds: 60 });
    await Bun.sleep(200);
    t.handle.shutdown.abort();
    const r = await waiting;
    expect(r.data).toMatchObject({ replies: [], timed_out: true });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
