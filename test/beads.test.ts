// /v1/beads (docs/protocol/sync.md): uploads, list/search/pages, one issue, ready.
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp } from "./support/harness";
import { encodeCursor } from "../src/http/wire";

const t = await startTestApp();
afterAll(() => t.close());

const alice = await initAgent(t, { alias: "alice-beads" });
const outsider = await initAgent(t, { project_slug: "other", alias: "eve-beads" });
const REPO_A = "github.com/acme/a";
const REPO_B = "github.com/acme/b";

const upload = (body: unknown, token = alice.api_key) => t.request("POST", "/v1/beads/upload", { body, token });
const uploadJsonl = (raw: string, query: string, headers: Record<string, string> = { "content-type": "text/plain" }, token = alice.api_key) =>
  t.request("POST", `/v1/beads/upload-jsonl?${query}`, { raw, headers, token });
const get = (path: string, token = alice.api_key) => t.request("GET", path, { token });
const rows = async () => (await t.sql<{ n: number }[]>`select count(*)::int as n from beads.beads_issues`)[0].n;

describe("upload", () => {
  test("JSON upload: counts, conflicts for older updated_at, audit", async () => {
    let r = await upload({
      repo: REPO_A,
      issues: [
        { id: "a-1", title: "One", status: "open", priority: 1, updated_at: "2025-01-02T00:00:00Z" },
        { id: "a-2", title: "Two", status: "open", priority: 2 },
        { id: "bad id" },
        { no: "id" },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: "completed",
      repo: REPO_A,
      branch: "main",
      issues_synced: 2,
      issues_added: 2,
      issues_updated: 0,
      conflicts: [],
      conflicts_count: 0,
      notifications_sent: 0,
      notifications_failed: 0,
      synced_at: expect.stringMatching(/\+00:00$/),
    });
    r = await upload({
      repo: REPO_A,
      branch: "main",
      issues: [
        { id: "a-1", title: "Older", updated_at: "2025-01-01T00:00:00Z" },
        { id: "a-2", title: "Two again", status: "open", priority: 2 },
      ],
    });
    expect(r.body).toMatchObject({ issues_synced: 2, issues_added: 0, issues_updated: 1, conflicts: ["a-1"], conflicts_count: 1 });
    const audit = await t.sql`
      select details from server.audit_log where event_type = 'beads_uploaded' and project_id = ${alice.project_id} order by created_at`;
    expect(audit.map((a) => a.details)).toEqual([
      { project_id: alice.project_id, repo: REPO_A, branch: "main", issues_synced: 2, issues_added: 2, issues_updated: 0, source: "json" },
      { project_id: alice.project_id, repo: REPO_A, branch: "main", issues_synced: 2, issues_added: 0, issues_updated: 1, source: "json" },
    ]);
  });

  test("JSON upload validation", async () => {
    const before = await rows();
    let r = await upload({ repo: "not valid", issues: [] });
    expect(r.status).toBe(422);
    expect(r.body.detail[0]).toMatchObject({ loc: ["body", "repo"], msg: "Value error, Invalid repository: must be canonical origin format like github.com/org/repo" });
    r = await upload({ repo: REPO_A, branch: "-bad", issues: [{ id: "x-1" }] });
    expect([r.status, r.body]).toEqual([422, { detail: "Invalid branch name: -bad" }]);
    r = await upload({ repo: REPO_A, issues: [1] });
    expect(r.status).toBe(422);
    expect(r.body.detail[0].loc).toEqual(["body", "issues", 0]);
    r = await upload({ repo: REPO_A });
    expect(r.body.detail[0]).toMatchObject({ type: "missing", loc: ["body", "issues"] });
    r = await t.request("POST", "/v1/beads/upload", { body: { repo: REPO_A, issues: [] } });
    expect(r.status).toBe(401);
    expect(await rows()).toBe(before);
  });

  test("JSONL upload: text/plain body, other branches, errors", async () => {
    let r = await uploadJsonl('{"id":"b-1","status":"open","title":"Bee"}\n{"id":"b-2","status":"closed"}\n', `repo=${REPO_B}&branch=dev`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ repo: REPO_B, branch: "dev", issues_synced: 2, issues_added: 2 });
    r = await uploadJsonl("\n\n\n", `repo=${REPO_B}`);
    expect(r.body).toMatchObject({ branch: "main", issues_synced: 0 });
    const audit = await t.sql`select details->>'source' as source from server.audit_log where details->>'branch' = 'dev'`;
    expect([...audit]).toEqual([{ source: "jsonl" }]);

    const before = await rows();
    r = await uploadJsonl('{"id":"b-3"}\n{oops', `repo=${REPO_B}`);
    expect([r.status, r.body]).toEqual([400, { detail: "Invalid JSON on line 2: Expecting property name enclosed in double quotes" }]);
    r = await uploadJsonl('{"id":"b-3"}\n'.repeat(10001), `repo=${REPO_B}`);
    expect([r.status, r.body]).toEqual([400, { detail: "Too many issues: exceeds limit of 10000" }]);
    r = await uploadJsonl("{}", "repo=-bad");
    expect([r.status, r.body]).toEqual([422, { detail: "Invalid repo: -bad" }]);
    r = await uploadJsonl("{}", `repo=${REPO_B}&branch=..`);
    expect([r.status, r.body]).toEqual([422, { detail: "Invalid branch name: .." }]);
    r = await uploadJsonl("{}", "branch=main");
    expect(r.body.detail[0]).toMatchObject({ type: "missing", loc: ["query", "repo"] });
    // without a content type FastAPI decodes JSON: raw JSONL is a 422 …
    r = await uploadJsonl('{"id":"b-3"}\n{"id":"b-4"}', `repo=${REPO_B}`, {});
    expect(r.status).toBe(422);
    r = await uploadJsonl("", `repo=${REPO_B}`);
    expect(r.body.detail[0]).toMatchObject({ type: "missing", loc: ["body"] });
    r = await uploadJsonl("x".repeat(10 * 1024 * 1024 + 1), `repo=${REPO_B}`);
    expect(r.status).toBe(422);
    expect(r.body.detail[0]).toMatchObject({ type: "string_too_long", loc: ["body"] });
    expect(await rows()).toBe(before);
    // … while a JSON string body is the JSONL text
    r = await uploadJsonl(JSON.stringify('{"id":"b-5"}'), `repo=${REPO_B}`, { "content-type": "application/json" });
    expect(r.body).toMatchObject({ issues_synced: 1, issues_added: 1 });
  });
});

describe("list", () => {
  test("shape, filters and search", async () => {
    await upload({
      repo: REPO_A,
      issues: [
        { id: "s-1", title: "Fix 100% of_bugs", status: "in_progress", priority: 0, issue_type: "bug", assignee: "ann", created_by: "cat", labels: ["ui", "p0"], updated_at: "2025-03-01T00:00:00Z" },
        { id: "s-2", title: "Write docs", status: "closed", priority: 3, issue_type: "task", labels: ["docs"], updated_at: "2025-03-02T00:00:00Z" },
        { id: "S-3", title: "prefix", status: "open", issue_type: "epic" },
      ],
    });
    let r = await get(`/v1/beads/issues?repo=${REPO_A}&status=in_progress`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      issues: [
        {
          bead_id: "s-1",
          repo: REPO_A,
          branch: "main",
          title: "Fix 100% of_bugs",
          status: "in_progress",
          priority: 0,
          type: "bug",
          assignee: "ann",
          created_by: "cat",
          labels: ["ui", "p0"],
          blocked_by: [],
          parent_id: null,
          created_at: null,
          updated_at: "2025-03-01T00:00:00+00:00",
          current_reservation: null,
          reservations: [],
        },
      ],
      count: 1,
      has_more: false,
      next_cursor: null,
      synced_at: null,
    });
    const ids = async (q: string) => ((await get(`/v1/beads/issues?${q}`)).body.issues as { bead_id: string }[]).map((i) => i.bead_id).sort();
    expect(await ids("status=closed,in_progress&repo=" + REPO_A)).toEqual(["s-1", "s-2"]);
    expect(await ids("assignee=ann")).toEqual(["s-1"]);
    expect(await ids("created_by=cat")).toEqual(["s-1"]);
    expect(await ids("label=docs")).toEqual(["s-2"]);
    expect(await ids("type=epic")).toEqual(["S-3"]);
    expect(await ids("branch=dev")).toEqual(["b-1", "b-2"]);
    // q: case-insensitive bead_id prefix or title substring; LIKE metacharacters are literal
    expect(await ids("q=s-")).toEqual(["S-3", "s-1", "s-2"]);
    expect(await ids("q=DOCS")).toEqual(["s-2"]);
    expect(await ids("q=100%25")).toEqual(["s-1"]);
    expect(await ids("q=of_b")).toEqual(["s-1"]);
    expect(await ids("q=f%25")).toEqual([]);
    expect(await ids("q=_")).toEqual(["s-1"]);
    expect(await ids("q=-1")).toEqual([]);
  });

  test("validation", async () => {
    const bad: [string, unknown][] = [
      ["status=open,done", "Invalid status: done. Must be one of: closed, in_progress, open"],
      ["type=story", "Invalid issue type: story. Must be one of: bug, chore, epic, feature, task"],
      ["repo=..", "Invalid repo: .."],
      ["branch=-x", "Invalid branch name: -x"],
      ["cursor=" + encodeCursor({ sort_time: "2025-01-01T00:00:00Z" }), "Invalid cursor: incomplete sort key (missing sort_time, priority, or bead_id)"],
      ["cursor=" + encodeCursor({ sort_time: "soon", priority: 1, bead_id: "x" }), "Invalid cursor: bad timestamp (soon)"],
    ];
    for (const [q, detail] of bad) {
      const r = await get(`/v1/beads/issues?${q}`);
      expect([r.status, r.body]).toEqual([422, { detail }]);
    }
    for (const q of ["limit=0", "limit=201", "limit=x", "q=" + "x".repeat(256), "cursor=!!!", "q=a%00b", "assignee=%00"]) {
      expect((await get(`/v1/beads/issues?${q}`)).status).toBe(422);
    }
    expect((await get("/v1/beads/issues", "")).status).toBe(401);
  });

  test("keyset pages cover every row exactly once, null priorities included", async () => {
    const issues = Array.from({ length: 23 }, (_, i) => ({
      id: `pg-${String(i).padStart(2, "0")}`,
      priority: i % 3 === 0 ? null : i % 2,
      updated_at: i < 10 ? "2025-05-05T05:05:05.123456Z" : `2025-05-0${(i % 4) + 1}T00:00:00Z`,
    }));
    await upload({ repo: "github.com/acme/pages", issues });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: { body: { issues: { bead_id: string }[]; next_cursor: string | null; count: number; has_more: boolean } } = await get(
        `/v1/beads/issues?repo=github.com/acme/pages&limit=5${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...r.body.issues.map((i) => i.bead_id));
      expect(r.body.count).toBe(r.body.issues.length);
      cursor = r.body.next_cursor;
      expect(r.body.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    const all = (await get("/v1/beads/issues?repo=github.com/acme/pages&limit=200")).body.issues.map((i: { bead_id: string }) => i.bead_id);
    expect(seen).toEqual(all);
  });
});

describe("one issue", () => {
  test("exact with repo and branch, else first by repo, branch", async () => {
    await upload({ repo: REPO_B, branch: "main", issues: [{ id: "b-1", title: "B main", description: "desc" }] });
    let r = await get("/v1/beads/issues/b-1");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ bead_id: "b-1", project_id: alice.project_id, repo: REPO_B, branch: "dev", title: "Bee", description: null });
    expect(r.body.reservations).toBeUndefined();
    expect(r.body.current_reservation).toBeNull();
    r = await get(`/v1/beads/issues/b-1?repo=${REPO_B}&branch=main`);
    expect(r.body).toMatchObject({ branch: "main", title: "B main", description: "desc" });
    r = await get(`/v1/beads/issues/b-1?branch=main`); // a single filter is ignored
    expect(r.body.branch).toBe("dev");
    r = await get(`/v1/beads/issues/b-1?repo=${REPO_A}&branch=main`);
    expect([r.status, r.body]).toEqual([404, { detail: "Issue not found" }]);
    r = await get(`/v1/beads/issues/b-1?repo=`);
    expect([r.status, r.body]).toEqual([422, { detail: "Invalid repo: " }]);
    r = await get(`/v1/beads/issues/b-1?branch=${"-".repeat(60)}`);
    expect([r.status, r.body]).toEqual([422, { detail: `Invalid branch name: ${"-".repeat(60)}` }]);
    expect((await get("/v1/beads/issues/b-1", outsider.api_key)).status).toBe(404);
    expect((await get("/v1/beads/issues/b%001")).status).toBe(404);
  });
});

describe("ready", () => {
  test("open issues whose every blocker is closed in the same project; missing blockers block across repos", async () => {
    const ws = alice.workspace_id;
    await upload({
      repo: "github.com/acme/r1",
      issues: [
        { id: "r-free", status: "open", priority: 2 },
        { id: "r-closed-dep", status: "closed" },
        { id: "r-ok", status: "open", priority: 1, blocked_by: ["r-closed-dep", "github.com/acme/r2:r2-done"] },
        { id: "r-open-dep", status: "open", priority: 3 },
        { id: "r-blocked", status: "open", blocked_by: ["r-open-dep"] },
        { id: "r-cross", status: "open", blocked_by: ["github.com/acme/r2:r2-open"] },
        { id: "r-missing", status: "open", blocked_by: ["github.com/acme/r9:nowhere"] },
        { id: "r-wip", status: "in_progress" },
      ],
    });
    await upload({ repo: "github.com/acme/r2", issues: [{ id: "r2-done", status: "closed" }, { id: "r2-open", status: "open", priority: 0 }] });
    // the same blocker id closed in ANOTHER project does not unblock
    await upload({ repo: "github.com/acme/r9", issues: [{ id: "nowhere", status: "closed" }] }, outsider.api_key);

    let r = await get(`/v1/beads/ready?workspace_id=${ws}&repo=github.com/acme/r1`);
    expect(r.status).toBe(200);
    expect(r.body.issues.map((i: { bead_id: string }) => i.bead_id)).toEqual(["r-ok", "r-free", "r-open-dep"]);
    expect(r.body.count).toBe(3);
    expect(r.body.issues[0]).toEqual({
      bead_id: "r-ok",
      repo: "github.com/acme/r1",
      branch: "main",
      title: null,
      status: "open",
      priority: 1,
      type: null,
      blocked_by: [
        { repo: "github.com/acme/r1", branch: "main", bead_id: "r-closed-dep" },
        { repo: "github.com/acme/r2", branch: "main", bead_id: "r2-done" },
      ],
      current_reservation: null,
    });
    r = await get(`/v1/beads/ready?workspace_id=${ws}&limit=1`);
    expect(r.body.issues.map((i: { bead_id: string }) => i.bead_id)).toEqual(["r2-open"]);
    r = await get(`/v1/beads/ready?workspace_id=${ws}&repo=github.com/acme/r9`, outsider.api_key);
    expect(r.body.count).toBe(0);
  });

  test("validation", async () => {
    const cases: [string, unknown][] = [
      ["workspace_id=nope", "Invalid workspace_id format"],
      [`workspace_id=${alice.workspace_id}&repo=..`, "Invalid repo: .."],
      [`workspace_id=${alice.workspace_id}&branch=-`, "Invalid branch name: -"],
    ];
    for (const [q, detail] of cases) expect((await get(`/v1/beads/ready?${q}`)).body).toEqual({ detail });
    let r = await get("/v1/beads/ready");
    expect(r.body.detail[0]).toMatchObject({ type: "missing", loc: ["query", "workspace_id"] });
    r = await get(`/v1/beads/ready?workspace_id=${alice.workspace_id}&limit=0`);
    expect(r.body.detail[0]).toMatchObject({ type: "greater_than", msg: "Input should be greater than 0" });
    r = await get(`/v1/beads/ready?workspace_id=${alice.workspace_id}&limit=100000`);
    expect(r.status).toBe(200);
  });
});
