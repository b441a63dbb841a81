// POST /v1/bdh/command (docs/protocol/sync.md).
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp } from "./support/harness";
import { command, commandBody, sync } from "./support/bdh";

const t = await startTestApp();
afterAll(() => t.close());

const alice = await initAgent(t, { alias: "alice-cmd", human_name: "Alice" });
const bob = await initAgent(t, { alias: "bob-cmd", human_name: "Bob" });
const outsider = await initAgent(t, { project_slug: "elsewhere", alias: "eve-cmd" });

const claim = (a: typeof alice, beadId: string, humanName = "Alice") =>
  sync(t, a, { changed: [{ id: beadId, status: "in_progress" }], command_line: `update ${beadId} --status in_progress`, human_name: humanName });

describe("pre-flight", () => {
  test("the exact JSON bdh sends, and the exact JSON it gets back", async () => {
    // Go CommandRequest: field order, repo_id/role omitempty
    const raw =
      `{"workspace_id":"${alice.workspace_id}","repo_id":"${alice.repo_id}","alias":"alice-cmd","human_name":"Alice",` +
      `"repo_origin":"git@github.com:acme/app.git","command_line":"show bd-0 --json"}`;
    const r = await t.request("POST", "/v1/bdh/command", { raw, token: alice.api_key, headers: { "content-type": "application/json" } });
    expect(r.status).toBe(200);
    expect(r.text).toBe('{"approved":true,"reason":"","context":{"messages_waiting":0,"beads_in_progress":[]}}');
  });

  test("approves and lists the project's claims (the caller's own included)", async () => {
    let r = await command(t, alice, "list --status open");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ approved: true, reason: "", context: { messages_waiting: 0, beads_in_progress: [] } });

    await claim(alice, "bd-1");
    r = await command(t, alice, "update bd-1 --status in_progress");
    expect(r.body.approved).toBe(true);
    const [c] = r.body.context.beads_in_progress;
    expect(c).toEqual({
      bead_id: "bd-1",
      workspace_id: alice.workspace_id,
      alias: "alice-cmd",
      human_name: "Alice",
      started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/),
      title: null,
      role: null,
    });
  });

  test("a claim on another workspace's bead → 200 approved:false with the exact reason", async () => {
    for (const line of [
      "update bd-1 --status in_progress",
      "update bd-1 --status=in_progress --json",
      "--no-daemon update bd-1 -s in_progress", // decision §19.7
    ]) {
      const r = await command(t, bob, line);
      expect(r.status).toBe(200);
      expect(r.body.approved).toBe(false);
      expect(r.body.reason).toBe("bd-1 is being worked on by alice-cmd (Alice)");
      expect(r.body.context.beads_in_progress.map((b: { bead_id: string }) => b.bead_id)).toEqual(["bd-1"]);
    }
    // other commands on the bead are approved (bdh itself guards `close`)
    for (const line of ["close bd-1", "update bd-1 --status closed", "show bd-1", "update bd-2 --status in_progress"]) {
      expect((await command(t, bob, line)).body.approved).toBe(true);
    }
  });

  test("jump-in: bdh overrides the rejection locally; the server keeps one holder (decision §20 Q1)", async () => {
    // bdh strips --:jump-in before sending, so the pre-flight still says no…
    expect((await command(t, bob, "update bd-1 --status in_progress")).body.approved).toBe(false);
    // …bd runs anyway, and the sync that follows keeps alice as the only holder
    const r = await claim(bob, "bd-1", "Bob");
    expect(r.body).toMatchObject({ claim_rejected: true, claim_rejected_reason: "bd-1 is being worked on by alice-cmd (Alice)" });
    const holders = await t.sql`select alias from server.bead_claims where bead_id = 'bd-1'`;
    expect([...holders]).toEqual([{ alias: "alice-cmd" }]);
  });

  test("claims older than the 200 most recent still conflict (decision §20 Q11)", async () => {
    await t.sql`update server.bead_claims set claimed_at = now() - interval '1 day' where bead_id = 'bd-1'`;
    await t.sql`
      insert into server.bead_claims (project_id, workspace_id, alias, human_name, bead_id)
      select ${alice.project_id}, ${alice.workspace_id}, 'alice-cmd', 'Alice', 'filler-' || g
      from generate_series(1, 200) g`;
    const r = await command(t, bob, "update bd-1 --status in_progress");
    expect(r.body.context.beads_in_progress).toHaveLength(200);
    expect(r.body.context.beads_in_progress.some((b: { bead_id: string }) => b.bead_id === "bd-1")).toBe(false);
    expect(r.body).toMatchObject({ approved: false, reason: "bd-1 is being worked on by alice-cmd (Alice)" });
    await t.sql`delete from server.bead_claims where bead_id like 'filler-%'`;
  });

  test("touch: last_seen_at, human_name, role (nulled when omitted) and presence", async () => {
    await t.sql`update server.workspaces set last_seen_at = null where workspace_id = ${alice.workspace_id}`;
    await command(t, alice, "list", { role: "Lead Dev", human_name: "  Alice Q  " });
    let ws = (await t.sql`select human_name, role, last_seen_at from server.workspaces where workspace_id = ${alice.workspace_id}`)[0];
    expect(ws.human_name).toBe("Alice Q");
    expect(ws.role).toBe("Lead Dev");
    expect(ws.last_seen_at).not.toBeNull();
    const presence = await t.redis.hgetall(`presence:${alice.workspace_id}`);
    expect(presence).toMatchObject({ alias: "alice-cmd", human_name: "Alice Q", project_id: alice.project_id, role: "lead dev" });
    await command(t, alice, "list", { human_name: "Alice" });
    ws = (await t.sql`select human_name, role from server.workspaces where workspace_id = ${alice.workspace_id}`)[0];
    expect(ws).toEqual({ human_name: "Alice", role: null });
  });
});

describe("touch coalescing (docs/decisions.md: last_seen_at within 5 s)", () => {
  const state = async () =>
    (await t.sql`select human_name, role, last_seen_at, updated_at from server.workspaces where workspace_id = ${bob.workspace_id}`)[0];

  test("a repeat within the interval writes nothing: no row update, no presence rewrite", async () => {
    await t.sql`update server.workspaces set last_seen_at = null where workspace_id = ${bob.workspace_id}`;
    expect((await command(t, bob, "list", { human_name: "Bob", role: "dev" })).status).toBe(200);
    const first = await state();
    expect(first.last_seen_at).not.toBeNull();
    await t.redis.del(`presence:${bob.workspace_id}`);
    expect((await command(t, bob, "list", { human_name: "Bob", role: "dev" })).status).toBe(200);
    expect(await state()).toEqual(first);
    expect(await t.redis.exists(`presence:${bob.workspace_id}`)).toBe(0);
  });

  test("a changed human_name or role is written at once, presence included", async () => {
    await command(t, bob, "list", { human_name: "Bob", role: "dev" });
    const before = await state();
    expect((await command(t, bob, "list", { human_name: "Bobby", role: "dev" })).status).toBe(200);
    const renamed = await state();
    expect(renamed.human_name).toBe("Bobby");
    expect(renamed.updated_at > before.updated_at).toBe(true);
    expect(await t.redis.hget(`presence:${bob.workspace_id}`, "human_name")).toBe("Bobby");
    await command(t, bob, "list", { human_name: "Bobby" }); // role omitted → nulled now
    expect((await state()).role).toBeNull();
  });

  test("once last_seen_at is older than the interval, the next command writes it and presence", async () => {
    await command(t, bob, "list", { human_name: "Bob" });
    await t.sql`update server.workspaces set last_seen_at = now() - interval '6 seconds' where workspace_id = ${bob.workspace_id}`;
    await t.redis.del(`presence:${bob.workspace_id}`);
    const before = await state();
    expect((await command(t, bob, "list", { human_name: "Bob" })).status).toBe(200);
    const after = await state();
    expect(after.last_seen_at > before.last_seen_at).toBe(true);
    expect(await t.redis.hgetall(`presence:${bob.workspace_id}`)).toMatchObject({ alias: "bob-cmd", human_name: "Bob" });
  });
});

describe("errors", () => {
  test("strict body and field rules → 422", async () => {
    const base = commandBody(alice, "list");
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ ...base, extra: 1 }, { type: "extra_forbidden", loc: ["body", "extra"] }],
      [{ ...base, command_line: "" }, { type: "string_too_short", loc: ["body", "command_line"] }],
      [{ ...base, command_line: "x".repeat(8193) }, { type: "string_too_long", loc: ["body", "command_line"] }],
      [{ ...base, alias: "bad alias" }, { loc: ["body", "alias"], msg: "Value error, Invalid alias format" }],
      [{ ...base, human_name: "9lives" }, { loc: ["body", "human_name"], msg: "Value error, Invalid human_name format" }],
      [{ ...base, workspace_id: "" }, { loc: ["body", "workspace_id"] }],
      [{ ...base, role: "x".repeat(51) }, { loc: ["body", "role"] }],
      [{ ...base, repo_origin: "" }, { type: "string_too_short", loc: ["body", "repo_origin"] }],
    ];
    for (const [body, item] of cases) {
      const r = await t.request("POST", "/v1/bdh/command", { body, token: alice.api_key });
      expect(r.status).toBe(422);
      expect(r.body.detail[0]).toMatchObject(item);
    }
    const { human_name: _, ...noHuman } = base;
    const r = await t.request("POST", "/v1/bdh/command", { body: noHuman, token: alice.api_key });
    expect(r.body.detail[0]).toMatchObject({ type: "missing", loc: ["body", "human_name"] });
    // uppercase / braced UUIDs are normalized (§0)
    const upper = { ...base, workspace_id: `{${alice.workspace_id!.toUpperCase()}}` };
    expect((await t.request("POST", "/v1/bdh/command", { body: upper, token: alice.api_key })).status).toBe(200);
  });

  test("401, 403 binding, 404 other project, 410 deleted", async () => {
    let r = await t.request("POST", "/v1/bdh/command", { body: commandBody(alice, "list") });
    expect(r.status).toBe(401);
    r = await t.request("POST", "/v1/bdh/command", {
      body: commandBody(alice, "list"),
      headers: { authorization: "Token x" },
    });
    expect([r.status, r.body]).toEqual([401, { detail: "Invalid Authorization header. Expected: Bearer <token>" }]);
    r = await t.request("POST", "/v1/bdh/command", { body: commandBody(bob, "list"), token: alice.api_key });
    expect([r.status, r.body]).toEqual([403, { detail: "workspace_id does not match API key identity" }]);
    r = await t.request("POST", "/v1/bdh/command", { body: commandBody(alice, "list"), token: outsider.api_key });
    expect(r.status).toBe(403);

    const doomed = await initAgent(t, { alias: "doomed-cmd" });
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${doomed.workspace_id}`;
    r = await command(t, doomed, "list");
    expect([r.status, r.body]).toEqual([410, { detail: "Workspace was deleted" }]);
    await t.sql`delete from server.workspaces where workspace_id = ${doomed.workspace_id}`;
    r = await command(t, doomed, "list");
    expect([r.status, r.body]).toEqual([404, { detail: "Workspace not found" }]);
  });

  test("cross-project isolation: another project's claims are invisible", async () => {
    const r = await command(t, outsider, "update bd-1 --status in_progress");
    expect(r.body).toEqual({ approved: true, reason: "", context: { messages_waiting: 0, beads_in_progress: [] } });
  });
});
