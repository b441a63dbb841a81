// POST /v1/bdh/sync (docs/protocol/sync.md).
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp, type Agent } from "./support/harness";
import { ORIGIN, REPO, jsonl, manyIssues, sync, syncBody, type Issue } from "./support/bdh";

const t = await startTestApp();
afterAll(() => t.close());

const alice = await initAgent(t, { alias: "alice-sync", human_name: "Alice" });
const bob = await initAgent(t, { alias: "bob-sync", human_name: "Bob" });
const outsider = await initAgent(t, { project_slug: "other", alias: "eve-sync" });

const countRows = async (projectId = alice.project_id) =>
  (await t.sql<{ n: number }[]>`select count(*)::int as n from beads.beads_issues where project_id = ${projectId}`)[0].n;
const row = async (beadId: string, projectId = alice.project_id) =>
  (await t.sql`select * from beads.beads_issues where project_id = ${projectId} and bead_id = ${beadId}`)[0];
const claims = (beadId: string) =>
  t.sql<{ workspace_id: string; alias: string }[]>`
    select workspace_id, alias from server.bead_claims where project_id = ${alice.project_id} and bead_id = ${beadId}`;

const ok = (issuesCount: number, stats: Record<string, number>, extra: Record<string, unknown> = {}) => ({
  synced: true,
  issues_count: issuesCount,
  context: null,
  stats,
  sync_protocol_version: 1,
  claim_rejected: false,
  claim_rejected_reason: "",
  ...extra,
});

describe("full and incremental round trip", () => {
  test("the exact JSON bdh sends is accepted, byte for byte", async () => {
    // Go: field order of SyncRequest, omitempty on repo_id/role/command_line/
    // issues_jsonl/sync_mode/changed_issues/deleted_ids, *int protocol version.
    const raw =
      `{"workspace_id":"${alice.workspace_id}","repo_id":"${alice.repo_id}","alias":"alice-sync","human_name":"Alice",` +
      `"repo_origin":"${ORIGIN}","command_line":"create --title \\u003cfirst\\u003e",` +
      `"issues_jsonl":"{\\"id\\":\\"rt-1\\",\\"title\\":\\"\\u003cfirst\\u003e\\",\\"status\\":\\"open\\",\\"priority\\":2}\\n",` +
      `"sync_mode":"full","sync_protocol_version":0}`;
    const r = await t.request("POST", "/v1/bdh/sync", {
      raw,
      token: alice.api_key,
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(200);
    expect(r.text).toBe(JSON.stringify(ok(1, { received: 1, inserted: 1, updated: 0, deleted: 0 })));
    expect((await row("rt-1")).title).toBe("<first>");
  });

  test("full sync upserts and never deletes missing rows; incremental changes and deletes", async () => {
    const issues = manyIssues(5, 100, { updated_at: "2025-01-01T00:00:00Z" });
    let r = await sync(t, alice, { issues });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(ok(6, { received: 5, inserted: 5, updated: 0, deleted: 0 }));

    // full again with only 2 of them: both "updated" (even unchanged), nothing deleted (§19.3)
    r = await sync(t, alice, { issues: issues.slice(0, 2) });
    expect(r.body).toEqual(ok(6, { received: 2, inserted: 0, updated: 2, deleted: 0 }));

    // incremental: one change, one new, two deletions (one unknown)
    r = await sync(t, alice, {
      changed: [{ ...issues[0], status: "closed", updated_at: "2025-01-02T00:00:00Z" }, { id: "bd-200", title: "new" }],
      deleted_ids: ["bd-104", "bd-999", "not valid!"],
    });
    expect(r.body).toEqual(ok(6, { received: 2, inserted: 1, updated: 1, deleted: 1 }));
    expect((await row("bd-100")).status).toBe("closed");
    expect(await row("bd-104")).toBeUndefined();

    // deletions only
    r = await sync(t, alice, { deleted_ids: ["bd-200"] });
    expect(r.body).toEqual(ok(5, { received: 0, inserted: 0, updated: 0, deleted: 1 }));
  });

  test("stale rows are skipped, equal timestamps update (§19.4)", async () => {
    await sync(t, alice, { issues: [{ id: "st-1", title: "v2", updated_at: "2025-06-01T10:00:00.500000Z" }] });
    let r = await sync(t, alice, { changed: [{ id: "st-1", title: "v1", updated_at: "2025-06-01T10:00:00.499999Z" }] });
    expect(r.body.stats).toEqual({ received: 1, inserted: 0, updated: 0, deleted: 0 });
    expect((await row("st-1")).title).toBe("v2");
    r = await sync(t, alice, { changed: [{ id: "st-1", title: "v2b", updated_at: "2025-06-01T12:00:00.5+02:00" }] });
    expect(r.body.stats).toEqual({ received: 1, inserted: 0, updated: 1, deleted: 0 });
    expect((await row("st-1")).title).toBe("v2b");
    // no incoming timestamp: always applies
    r = await sync(t, alice, { changed: [{ id: "st-1", title: "v3" }] });
    expect(r.body.stats.updated).toBe(1);
    const stored = await row("st-1");
    expect(stored.title).toBe("v3");
    expect(stored.updated_at).toBeNull();
  });

  test("row fields: blocked_by, parent_id, created_by coalesce, labels", async () => {
    await sync(t, alice, {
      issues: [
        { id: "f-dep", status: "closed" },
        {
          id: "f-1",
          title: "T",
          description: "D",
          status: "open",
          priority: 1,
          issue_type: "bug",
          assignee: "alice",
          labels: ["a", "b"],
          created_by: " Alice ",
          created_at: "2025-01-01T00:00:00Z",
          blocked_by: ["github.com/o/x:bd-9"],
          dependencies: [
            { depends_on_id: "f-dep", type: "blocks" },
            { depends_on_id: "f-open", type: "blocks" },
            { depends_on_id: "f-epic", type: "parent-child" },
          ],
        },
      ],
    });
    const r1 = await row("f-1");
    expect(r1).toMatchObject({
      repo: REPO,
      branch: "main",
      title: "T",
      description: "D",
      status: "open",
      priority: 1,
      issue_type: "bug",
      assignee: "alice",
      labels: ["a", "b"],
      created_by: "Alice",
      created_at: "2025-01-01T00:00:00+00:00",
      blocked_by: [
        { repo: "github.com/o/x", branch: "main", bead_id: "bd-9" },
        { repo: REPO, branch: "main", bead_id: "f-open" },
      ],
      parent_id: { repo: REPO, branch: "main", bead_id: "f-epic" },
      closed_by_workspace_id: null,
    });
    await sync(t, alice, { changed: [{ id: "f-1", labels: [], created_by: "" }] });
    expect(await row("f-1")).toMatchObject({ labels: null, created_by: "Alice", title: null, blocked_by: [], parent_id: null });
  });

  test("wrong JSON types are coerced per record instead of failing the batch", async () => {
    const r = await sync(t, alice, {
      issues: [
        { id: "w-1", priority: "3", labels: "x", title: 5, status: ["open"], blocked_by: "w-2", dependencies: 7 },
        { id: "w-2", priority: { p: 1 }, created_at: 12, updated_at: "garbage", title: "ok\u0000" },
        { id: 7 } as unknown as Issue,
        { title: "no id" } as unknown as Issue,
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.stats).toEqual({ received: 2, inserted: 2, updated: 0, deleted: 0 });
    expect(await row("w-1")).toMatchObject({ priority: 3, labels: null, title: "5", status: null, blocked_by: [] });
    expect(await row("w-2")).toMatchObject({ priority: null, created_at: null, updated_at: null, title: "ok" });
  });

  test("issues are per repo (branch is always main) and counted for that repo", async () => {
    const r = await sync(t, alice, { repo_origin: "https://github.com/acme/second.git", issues: [{ id: "rt-1" }] });
    expect(r.body.issues_count).toBe(1);
    const rows = await t.sql`select repo, branch from beads.beads_issues where project_id = ${alice.project_id} and bead_id = 'rt-1' order by repo`;
    expect([...rows]).toEqual([
      { repo: REPO, branch: "main" },
      { repo: "github.com/acme/second", branch: "main" },
    ]);
  });
});

describe("limits and validation leave the table unchanged", () => {
  const expectUnchanged = async (fn: () => Promise<void>) => {
    const before = await countRows();
    await fn();
    expect(await countRows()).toBe(before);
  };

  test("10 MiB in characters → 422 (a multi-byte body under the limit passes the check)", async () => {
    await expectUnchanged(async () => {
      const big = '{"id":"big-1"}\n' + " ".repeat(10 * 1024 * 1024);
      const r = await t.request("POST", "/v1/bdh/sync", { body: syncBody(alice, { issues_jsonl: big }), token: alice.api_key });
      expect(r.status).toBe(422);
      expect(r.body.detail[0]).toMatchObject({
        type: "string_too_long",
        loc: ["body", "issues_jsonl"],
        msg: "String should have at most 10485760 characters",
        ctx: { max_length: 10485760 },
      });
      const r2 = await t.request("POST", "/v1/bdh/sync", {
        body: syncBody(alice, { changed_issues: big, sync_mode: "incremental" }),
        token: alice.api_key,
      });
      expect(r2.status).toBe(422);
      expect(r2.body.detail[0].loc).toEqual(["body", "changed_issues"]);
    });
    // 😀 is 2 UTF-16 units but 1 character: just over 10 Mi UTF-16 units, under 10 Mi characters
    const wide = '{"id":"wide-1","title":"' + "😀".repeat(200) + '"}\n' + " ".repeat(10 * 1024 * 1024 - 300);
    expect(wide.length).toBeGreaterThan(10 * 1024 * 1024);
    const r = await t.request("POST", "/v1/bdh/sync", { body: syncBody(alice, { issues_jsonl: wide }), token: alice.api_key });
    expect(r.status).toBe(200);
    await t.sql`delete from beads.beads_issues where bead_id = 'wide-1'`;
  }, 20000);

  test("10,001 issues → 400", async () => {
    await expectUnchanged(async () => {
      const r = await sync(t, alice, { issues_jsonl: '{"id":"c-1"}\n'.repeat(10001) });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ detail: "Too many issues: exceeds limit of 10000" });
    });
  });

  test("depth, invalid JSON and non-objects → 400 with the line number", async () => {
    await expectUnchanged(async () => {
      let deep = "1";
      for (let i = 0; i < 9; i++) deep = `{"a":${deep}}`;
      let r = await sync(t, alice, { issues_jsonl: `{"id":"d-1"}\n{"id":"d-2","x":${deep}}` });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ detail: "JSON nesting depth exceeds limit (10) on line 2" });
      r = await sync(t, alice, { changed_issues: '{"id":"d-1"}\n\n{"id":' });
      expect(r.body).toEqual({ detail: "Invalid JSON on line 3: Expecting value" });
      r = await sync(t, alice, { issues_jsonl: '{"id":"d-1"}\r\n["d-2"]' });
      expect(r.body).toEqual({ detail: "JSON on line 2 must be an object" });
      // full mode parses the stripped body, so leading blank lines do not count
      r = await sync(t, alice, { issues_jsonl: "\n\n{bad" });
      expect(r.body).toEqual({ detail: "Invalid JSON on line 1: Expecting property name enclosed in double quotes" });
    });
  });

  test("mode and payload rules → 422 with the reference's details", async () => {
    await expectUnchanged(async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ ...syncBody(alice, { issues: [{ id: "m-1" }] }), sync_mode: "partial" }, "sync_mode must be 'full' or 'incremental'"],
        [{ ...syncBody(alice, { issues: [{ id: "m-1" }] }), sync_mode: "  " }, "sync_mode must be 'full' or 'incremental'"],
        [{ ...syncBody(alice), issues_jsonl: " \n\t " }, "issues_jsonl is required for full sync"],
        [syncBody(alice), "issues_jsonl is required for full sync"],
        [{ ...syncBody(alice), sync_mode: "Incremental", changed_issues: "\n  \n" }, "incremental sync requires changes or deletions"],
        [{ ...syncBody(alice, { issues: [{ id: "m-1" }] }), repo_origin: "not a url" }, "Invalid repo_origin"],
        [{ ...syncBody(alice, { issues: [{ id: "m-1" }] }), repo_origin: "https://github.com/a/b%zz" }, "Invalid repo_origin"],
        [{ ...syncBody(alice, { issues: [{ id: "m-1" }] }), repo_origin: "https://github.com/-a/b" }, "Invalid repo_origin"],
      ];
      for (const [body, detail] of cases) {
        const r = await t.request("POST", "/v1/bdh/sync", { body, token: alice.api_key });
        expect([r.status, r.body]).toEqual([422, { detail }]);
      }
      // null sync_mode means full
      const r = await t.request("POST", "/v1/bdh/sync", { body: { ...syncBody(alice), sync_mode: null }, token: alice.api_key });
      expect(r.body).toEqual({ detail: "issues_jsonl is required for full sync" });
    });
  });

  test("strict body: unknown keys, missing human_name, bad alias/human_name/workspace_id → 422", async () => {
    await expectUnchanged(async () => {
      const base = syncBody(alice, { issues: [{ id: "v-1" }] });
      let r = await t.request("POST", "/v1/bdh/sync", { body: { ...base, email: "a@b.c" }, token: alice.api_key });
      expect(r.status).toBe(422);
      expect(r.body.detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "email"] });
      const { human_name: _, ...noHuman } = base;
      r = await t.request("POST", "/v1/bdh/sync", { body: noHuman, token: alice.api_key });
      expect(r.body.detail[0]).toMatchObject({ type: "missing", loc: ["body", "human_name"] });
      // dots are accepted (shared decision on §19.11); other characters are not
      r = await t.request("POST", "/v1/bdh/sync", { body: { ...base, human_name: "john@doe" }, token: alice.api_key });
      expect(r.body.detail[0]).toMatchObject({ loc: ["body", "human_name"], msg: "Value error, Invalid human_name format" });
      r = await t.request("POST", "/v1/bdh/sync", { body: { ...base, alias: "-x" }, token: alice.api_key });
      expect(r.body.detail[0]).toMatchObject({ loc: ["body", "alias"], msg: "Value error, Invalid alias format" });
      r = await t.request("POST", "/v1/bdh/sync", { body: { ...base, workspace_id: "nope" }, token: alice.api_key });
      expect(r.body.detail[0]).toMatchObject({ loc: ["body", "workspace_id"], msg: "Invalid workspace_id format" });
      r = await t.request("POST", "/v1/bdh/sync", { body: { ...base, role: "a\u0000b" }, token: alice.api_key });
      expect(r.body.detail[0]).toMatchObject({ loc: ["body", "role"], msg: "Value error, NUL characters are not allowed" });
      r = await t.request("POST", "/v1/bdh/sync", { body: { ...base, deleted_ids: null }, token: alice.api_key });
      expect(r.status).toBe(422);
      r = await t.request("POST", "/v1/bdh/sync", { raw: "{", token: alice.api_key, headers: { "content-type": "application/json" } });
      expect(r.status).toBe(422);
    });
  });
});

describe("identity", () => {
  test("401 without a key, 403 for another workspace, 404 for another project's workspace, 410 when deleted", async () => {
    let r = await t.request("POST", "/v1/bdh/sync", { body: syncBody(alice, { issues: [{ id: "i-1" }] }) });
    expect([r.status, r.body]).toEqual([401, { detail: "Authentication required" }]);
    r = await t.request("POST", "/v1/bdh/sync", { body: syncBody(bob, { issues: [{ id: "i-1" }] }), token: alice.api_key });
    expect([r.status, r.body]).toEqual([403, { detail: "workspace_id does not match API key identity" }]);
    r = await t.request("POST", "/v1/bdh/sync", { body: syncBody(outsider, { issues: [{ id: "i-1" }] }), token: alice.api_key });
    expect(r.status).toBe(403);

    const doomed = await initAgent(t, { alias: "doomed-sync" });
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${doomed.workspace_id}`;
    r = await sync(t, doomed, { issues: [{ id: "i-1" }] });
    expect([r.status, r.body]).toEqual([410, { detail: "Workspace was deleted" }]);
    await t.sql`delete from server.workspaces where workspace_id = ${doomed.workspace_id}`;
    r = await sync(t, doomed, { issues: [{ id: "i-1" }] });
    expect([r.status, r.body]).toEqual([404, { detail: "Workspace not found" }]);
    expect(await row("i-1")).toBeUndefined();
  });

  test("cross-project isolation: same bead ids, separate rows and counts", async () => {
    const r = await sync(t, outsider, { issues: [{ id: "rt-1", title: "theirs" }] });
    expect(r.body.issues_count).toBe(1);
    expect((await row("rt-1")).title).toBe("<first>");
    expect((await row("rt-1", outsider.project_id)).title).toBe("theirs");
  });

  test("touch: last_seen_at, human_name and role are overwritten; omitted role nulls it", async () => {
    await sync(t, alice, { issues: [{ id: "tc-1" }], role: "reviewer", human_name: "Alice B" });
    let ws = (await t.sql`select human_name, role, last_seen_at from server.workspaces where workspace_id = ${alice.workspace_id}`)[0];
    expect(ws).toMatchObject({ human_name: "Alice B", role: "reviewer" });
    expect(ws.last_seen_at).not.toBeNull();
    await sync(t, alice, { issues: [{ id: "tc-1" }], human_name: "" });
    ws = (await t.sql`select human_name, role from server.workspaces where workspace_id = ${alice.workspace_id}`)[0];
    expect(ws).toEqual({ human_name: "", role: null });
    expect(await t.redis.hget(`presence:${alice.workspace_id}`, "alias")).toBe("alice-sync");
  });
});

describe("claims from the command line (§14)", () => {
  test("claim, conflict in a 200, release on close, focus apex", async () => {
    await sync(t, alice, {
      issues: [
        { id: "cl-epic", title: "Epic" },
        { id: "cl-1", status: "in_progress", dependencies: [{ depends_on_id: "cl-epic", type: "parent-child" }] },
      ],
      command_line: "update cl-1 --status in_progress",
    });
    expect([...(await claims("cl-1"))]).toEqual([{ workspace_id: alice.workspace_id!, alias: "alice-sync" }]);
    const focus = async (a: Agent) =>
      (await t.sql`select focus_apex_bead_id, focus_apex_repo_name, focus_apex_branch, focus_updated_at
                   from server.workspaces where workspace_id = ${a.workspace_id}`)[0];
    expect(await focus(alice)).toMatchObject({ focus_apex_bead_id: "cl-epic", focus_apex_repo_name: REPO, focus_apex_branch: "main" });

    // bob (jump-in: bdh skips the pre-flight) — the issues sync, the claim is rejected, no second row
    const r = await sync(t, bob, { changed: [{ id: "cl-1", status: "in_progress", title: "bob's" }], command_line: "update cl-1 --status in_progress" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ claim_rejected: true, claim_rejected_reason: "cl-1 is being worked on by alice-sync (Tester)" });
    expect(r.body.stats.updated).toBe(1);
    expect((await claims("cl-1")).length).toBe(1);

    // re-claiming your own bead is fine and refreshes it
    expect((await sync(t, alice, { changed: [{ id: "cl-1" }], command_line: "--no-daemon update cl-1 -s in_progress" })).body.claim_rejected).toBe(false);

    // close releases and clears the focus (no claim left)
    await sync(t, alice, { changed: [{ id: "cl-1", status: "closed" }], command_line: "close cl-1 --reason done" });
    expect((await claims("cl-1")).length).toBe(0);
    const f = await focus(alice);
    expect(f.focus_apex_bead_id).toBeNull();
    expect(f.focus_updated_at).not.toBeNull();

    // now bob can claim it
    expect((await sync(t, bob, { changed: [{ id: "cl-1" }], command_line: "update cl-1 --status=in_progress" })).body.claim_rejected).toBe(false);
    // update to another status releases; deleted ids release too
    await sync(t, bob, { changed: [{ id: "cl-1" }], command_line: "update cl-1 --status open" });
    expect((await claims("cl-1")).length).toBe(0);
    await sync(t, bob, { changed: [{ id: "cl-2" }], command_line: "update cl-2 --status in_progress" });
    expect((await claims("cl-2")).length).toBe(1);
    await sync(t, bob, { deleted_ids: ["cl-2", "nul\u0000id"], command_line: "delete cl-2" });
    expect((await claims("cl-2")).length).toBe(0);
  });

  test("an unknown bead is claimed with a null apex", async () => {
    await sync(t, alice, { issues: [{ id: "x-1" }], command_line: "update ghost-1 --status in_progress" });
    const c = (await t.sql`select apex_bead_id from server.bead_claims where bead_id = 'ghost-1'`)[0];
    expect(c).toEqual({ apex_bead_id: null });
  });

  test("20 agents claiming the same bead at once → exactly one holder", async () => {
    const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => initAgent(t, { alias: `racer-${i}` })));
    const replies = await Promise.all(
      agents.map((a) => sync(t, a, { changed: [{ id: "race-1", status: "in_progress" }], command_line: "update race-1 --status in_progress" })),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(replies.filter((r) => !r.body.claim_rejected)).toHaveLength(1);
    const holders = await claims("race-1");
    expect(holders).toHaveLength(1);
    const winner = replies.findIndex((r) => !r.body.claim_rejected);
    expect(holders[0].workspace_id).toBe(agents[winner].workspace_id!);
    for (const r of replies.filter((x) => x.body.claim_rejected)) {
      expect(r.body.claim_rejected_reason).toBe(`race-1 is being worked on by racer-${winner} (Tester)`);
    }
  });
});

test("two concurrent syncs of 2,000 overlapping issues lose nothing", async () => {
  const a = manyIssues(2000, 10000, { title: "from alice" });
  const b = manyIssues(2000, 11000, { title: "from bob" });
  const [ra, rb] = await Promise.all([sync(t, alice, { issues: a }), sync(t, bob, { issues: b })]);
  expect([ra.status, rb.status]).toEqual([200, 200]);
  const stats = [ra.body.stats, rb.body.stats];
  expect(stats.map((s) => s.received)).toEqual([2000, 2000]);
  // 3,000 distinct ids, 1,000 written twice: one sync inserted them, the other updated them
  expect(stats[0].inserted + stats[1].inserted).toBe(3000);
  expect(stats[0].updated + stats[1].updated).toBe(1000);
  const [{ n, distinct }] = await t.sql`
    select count(*)::int as n, count(distinct bead_id)::int as distinct
    from beads.beads_issues
    where project_id = ${alice.project_id} and repo = ${REPO} and bead_id ~ '^bd-1[0-2][0-9]{3}$'`;
  expect([n, distinct]).toEqual([3000, 3000]);
  const titles = await t.sql`
    select title, count(*)::int as n from beads.beads_issues
    where project_id = ${alice.project_id} and bead_id in ('bd-10000', 'bd-11500', 'bd-12999')
    group by title order by title`;
  expect(titles.length).toBeGreaterThan(0);
  expect((await row("bd-10000")).title).toBe("from alice");
  expect((await row("bd-12999")).title).toBe("from bob");
  expect(["from alice", "from bob"]).toContain((await row("bd-11500")).title);
  expect(jsonl([{ id: "x" }])).toBe('{"id":"x"}\n');
});
