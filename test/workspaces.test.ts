// GET /v1/workspaces, GET /v1/workspaces/online, heartbeat, delete, restore
// (docs/protocol/workspaces.md).
import { afterAll, describe, expect, test } from "bun:test";
import { initRepoAgent, startTestApp, type RepoAgent } from "./support/harness";
import { signProxyMessage } from "../src/auth/proxy";
import { encodeCursor } from "../src/http/wire";
import { writePresence } from "../src/presence/presence";
import { keys } from "../src/redis/keys";

const SECRET = "s3cret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());



const agent = (slug: string, alias: string, extra: Record<string, unknown> = {}) => initRepoAgent(t, slug, alias, extra);

/** Signed proxy headers; ptype "p" is a public reader, "u" a user. */
function proxyHeaders(projectId: string, actorId: string, ptype = "p", principal = "reader-1"): Record<string, string> {
  const message = `v2:${projectId}:${ptype}:${principal}:${actorId}`;
  const headers: Record<string, string> = {
    "x-bh-auth": `${message}:${signProxyMessage(SECRET, message)}`,
    "x-project-id": projectId,
    "x-aweb-actor-id": actorId,
  };
  if (ptype === "u") headers["x-user-id"] = principal;
  return headers;
}

async function insertClaim(ws: RepoAgent, beadId: string, apex: string | null = null) {
  await t.sql`
    insert into server.bead_claims (project_id, workspace_id, alias, human_name, bead_id, apex_bead_id, apex_repo_name, apex_branch)
    values (${ws.project_id}, ${ws.workspace_id}, ${ws.alias}, 'Tester', ${beadId}, ${apex},
            ${apex ? "github.com/acme/app" : null}, ${apex ? "main" : null})`;
}

async function insertIssue(projectId: string, beadId: string, title: string, type: string) {
  await t.sql`
    insert into beads.beads_issues (project_id, bead_id, repo, branch, title, issue_type, status)
    values (${projectId}, ${beadId}, 'github.com/acme/app', 'main', ${title}, ${type}, 'open')`;
}

const list = (token: string, qs = "") => t.request("GET", `/v1/workspaces${qs}`, { token });
const ids = (body: any) => body.workspaces.map((w: any) => w.workspace_id);

describe("GET /v1/workspaces", async () => {
  const alice = await agent("shape", "alice-dev", { human_name: "Alice", role: "dev", hostname: "host-a", workspace_path: "/src/a" });
  const bob = await agent("shape", "bob-qa", { human_name: "Bob", role: "qa", hostname: "host-b", workspace_path: "/src/b" });

  test("every field, with presence and claims merged in", async () => {
    await insertIssue(alice.project_id, "bd-1", "Auth epic", "epic");
    await insertIssue(alice.project_id, "bd-2", "Fix login", "task");
    await insertClaim(alice, "bd-2", "bd-1");
    await t.sql`
      update server.workspaces set focus_apex_bead_id = 'bd-1', focus_apex_repo_name = 'github.com/acme/app',
        focus_apex_branch = 'main', focus_updated_at = now(), current_branch = 'main'
      where workspace_id = ${alice.workspace_id}`;
    const lastSeen = await writePresence(t.handle.deps, {
      workspace_id: alice.workspace_id,
      alias: "alice-dev",
      project_id: alice.project_id,
      project_slug: "shape",
      repo_id: alice.repo_id,
      human_name: "Alice",
      member_email: "alice@example.com",
      program: "claude-code",
      model: "opus",
      current_branch: "feat/x",
      role: "reviewer",
    });
    const [row] = await t.sql<{ focus_updated_at: string }[]>`
      select focus_updated_at from server.workspaces where workspace_id = ${alice.workspace_id}`;
    const [claim] = await t.sql<{ claimed_at: string }[]>`
      select claimed_at from server.bead_claims where workspace_id = ${alice.workspace_id}`;

    const res = await list(alice.api_key, "?include_claims=true&alias=alice-dev");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      workspaces: [
        {
          workspace_id: alice.workspace_id,
          alias: "alice-dev",
          human_name: "Alice",
          project_id: alice.project_id,
          project_slug: "shape",
          program: "claude-code",
          model: "opus",
          repo: "github.com/acme/app",
          branch: "feat/x",
          member_email: "alice@example.com",
          role: "reviewer",
          hostname: "host-a",
          workspace_path: "/src/a",
          apex_id: "bd-1",
          apex_title: "Auth epic",
          apex_type: "epic",
          focus_apex_id: "bd-1",
          focus_apex_title: "Auth epic",
          focus_apex_type: "epic",
          focus_apex_repo_name: "github.com/acme/app",
          focus_apex_branch: "main",
          focus_updated_at: row.focus_updated_at,
          status: "active",
          last_seen: lastSeen,
          deleted_at: null,
          claims: [
            { bead_id: "bd-2", title: "Fix login", claimed_at: claim.claimed_at, apex_id: "bd-1", apex_title: "Auth epic", apex_type: "epic" },
          ],
        },
      ],
      has_more: false,
      next_cursor: null,
    });
    expect(claim.claimed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
  });

  test("without include_claims: no claims, no apex; without presence: offline and DB values", async () => {
    const res = await list(alice.api_key, "?alias=alice-dev&include_presence=false");
    expect(res.status).toBe(200);
    const w = res.body.workspaces[0];
    expect(w.claims).toEqual([]);
    expect([w.apex_id, w.apex_title, w.apex_type]).toEqual([null, null, null]);
    expect(w.focus_apex_id).toBe("bd-1");
    expect([w.status, w.program, w.model, w.member_email, w.last_seen]).toEqual(["offline", null, null, null, null]);
    expect([w.branch, w.role]).toEqual(["main", "dev"]);
  });

  test("filters: human_name, repo, alias, hostname; empty values mean no filter", async () => {
    expect(ids((await list(alice.api_key, "?human_name=Bob")).body)).toEqual([bob.workspace_id]);
    expect(ids((await list(alice.api_key, "?hostname=host-a")).body)).toEqual([alice.workspace_id]);
    expect(ids((await list(alice.api_key, "?alias=bob-qa")).body)).toEqual([bob.workspace_id]);
    expect(ids((await list(alice.api_key, "?repo=github.com/acme/other")).body)).toEqual([]);
    expect(ids((await list(alice.api_key, "?repo=github.com/acme/app")).body).sort()).toEqual(
      [alice.workspace_id, bob.workspace_id].sort(),
    );
    expect((await list(alice.api_key, "?human_name=&alias=&hostname=&repo=")).body.workspaces).toHaveLength(2);
    // unknown query keys are ignored, as FastAPI does
    expect((await list(alice.api_key, "?unknown=1&alias=bob-qa")).body.workspaces).toHaveLength(1);
  });

  test("filter validation → 422", async () => {
    const repo = await list(alice.api_key, "?repo=" + encodeURIComponent("not a repo!"));
    expect(repo.status).toBe(422);
    expect(repo.body).toEqual({ detail: "Invalid repo format: not a repo!" });
    const alias = await list(alice.api_key, "?alias=-bad");
    expect(alias.status).toBe(422);
    expect(alias.body).toEqual({ detail: "Invalid alias: must be alphanumeric with hyphens/underscores, 1-64 chars" });
    const host = await list(alice.api_key, "?hostname=" + encodeURIComponent("a\tb"));
    expect(host.status).toBe(422);
    expect(host.body).toEqual({ detail: "Invalid hostname: contains null bytes or control characters" });
    const long = await list(alice.api_key, "?human_name=" + "x".repeat(65));
    expect(long.status).toBe(422);
    expect(long.body.detail[0]).toMatchObject({ type: "string_too_long", loc: ["query", "human_name"] });
    const bool = await list(alice.api_key, "?include_claims=maybe");
    expect(bool.status).toBe(422);
    expect(bool.body.detail[0]).toMatchObject({ type: "bool_parsing", loc: ["query", "include_claims"] });
    const yes = await list(alice.api_key, "?include_claims=YES&include_presence=off");
    expect(yes.status).toBe(200);
    expect(yes.body.workspaces.find((w: any) => w.alias === "alice-dev").claims).toHaveLength(1);
  });

  test("no auth → 401; bad key → 401", async () => {
    const none = await t.request("GET", "/v1/workspaces");
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: "Authentication required" });
    const bad = await list("aw_sk_" + "0".repeat(64));
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ detail: "Invalid API key" });
  });

  test("public reader: PII nulled, everything else intact", async () => {
    const res = await t.request("GET", "/v1/workspaces?alias=alice-dev&include_claims=true", {
      headers: proxyHeaders(alice.project_id, alice.workspace_id),
    });
    expect(res.status).toBe(200);
    const w = res.body.workspaces[0];
    expect([w.human_name, w.member_email, w.role, w.hostname, w.workspace_path]).toEqual([null, null, null, null, null]);
    expect([w.alias, w.program, w.status, w.branch]).toEqual(["alice-dev", "claude-code", "active", "feat/x"]);
    expect(w.claims).toHaveLength(1);
    // a user principal is not redacted
    const user = await t.request("GET", "/v1/workspaces?alias=alice-dev", {
      headers: proxyHeaders(alice.project_id, alice.workspace_id, "u", crypto.randomUUID()),
    });
    expect(user.body.workspaces[0].human_name).toBe("Alice");
  });

  test("another project's key sees only its own workspaces", async () => {
    const carol = await agent("shape-other", "carol-dev");
    const res = await list(carol.api_key);
    expect(ids(res.body)).toEqual([carol.workspace_id]);
    const proxied = await t.request("GET", "/v1/workspaces", { headers: proxyHeaders(carol.project_id, carol.workspace_id, "u", crypto.randomUUID()) });
    expect(ids(proxied.body)).toEqual([carol.workspace_id]);
  });

  test("bdh requests, byte for byte", async () => {
    // bdh :status (Go url.Values.Encode sorts keys)
    const status = await list(alice.api_key, "?include_claims=true&include_presence=true&limit=50");
    expect(status.status).toBe(200);
    const me = status.body.workspaces.find((w: any) => w.workspace_id === alice.workspace_id);
    for (const k of ["workspace_id", "alias", "human_name", "project_slug", "role", "status", "last_seen", "claims", "apex_id", "focus_apex_repo_name", "focus_apex_branch"]) {
      expect(me).toHaveProperty(k);
    }
    expect(me.claims[0]).toMatchObject({ bead_id: "bd-2", title: "Fix login" });
    // alias resolution
    const aliases = await list(alice.api_key, "?include_presence=false&limit=200");
    expect(aliases.status).toBe(200);
    expect(aliases.body.workspaces.map((w: any) => w.alias).sort()).toEqual(["alice-dev", "bob-qa"]);
    // gone-workspace cleanup
    const gone = await list(alice.api_key, "?hostname=host-b&include_presence=false");
    expect(gone.status).toBe(200);
    expect(gone.body.workspaces.map((w: any) => [w.workspace_id, w.workspace_path])).toEqual([[bob.workspace_id, "/src/b"]]);
  });
});

describe("GET /v1/workspaces pagination", async () => {
  const made: RepoAgent[] = [];
  for (let i = 0; i < 5; i++) made.push(await agent("pages", `page-${i}`));
  const key = made[0].api_key;

  async function walk(limit: number, qs = "") {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 20; n++) {
      const res: any = await list(key, `?limit=${limit}${qs}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...ids(res.body));
      expect(res.body.has_more).toBe(res.body.next_cursor !== null);
      if (!res.body.has_more) break;
      expect(res.body.workspaces).toHaveLength(limit);
      cursor = res.body.next_cursor;
    }
    return seen;
  }

  test("pages in updated_at DESC order, no duplicates, last page has_more=false", async () => {
    const first = await list(key, "?limit=2");
    expect(first.body.has_more).toBe(true);
    expect(typeof first.body.next_cursor).toBe("string");
    expect(first.body.next_cursor).not.toContain("=");
    const decoded = JSON.parse(Buffer.from(first.body.next_cursor, "base64url").toString());
    expect(decoded.updated_at).toMatch(/\+00:00$/);
    const seen = await walk(2);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toEqual([...made].reverse().map((m) => m.workspace_id));
    const all = await list(key, "?limit=5");
    expect(all.body).toMatchObject({ has_more: false, next_cursor: null });
  });

  test("rows sharing updated_at (one statement) still page without loss or duplicates", async () => {
    await t.sql`update server.workspaces set role = 'same' where project_id = ${made[0].project_id}`;
    const stamps = await t.sql`select distinct updated_at from server.workspaces where project_id = ${made[0].project_id}`;
    expect(stamps).toHaveLength(1);
    const seen = await walk(2);
    expect(new Set(seen).size).toBe(5);
    // a reference-style cursor (updated_at only) is strict <: nothing older
    const ref = encodeCursor({ updated_at: stamps[0].updated_at });
    const res = await list(key, `?cursor=${ref}`);
    expect(res.status).toBe(200);
    expect(res.body.workspaces).toEqual([]);
  });

  test("include_deleted lists soft-deleted rows with deleted_at", async () => {
    const del = await t.request("DELETE", `/v1/workspaces/${made[4].workspace_id}`, { token: key });
    expect(del.status).toBe(200);
    expect(ids((await list(key)).body)).not.toContain(made[4].workspace_id);
    const withDeleted = await list(key, "?include_deleted=true");
    const row = withDeleted.body.workspaces.find((w: any) => w.workspace_id === made[4].workspace_id);
    expect(row.deleted_at).toBe(del.body.deleted_at);
  });

  test("limit and cursor validation", async () => {
    for (const [limit, type] of [["0", "greater_than_equal"], ["201", "less_than_equal"], ["x", "int_parsing"]]) {
      const res = await list(key, `?limit=${limit}`);
      expect(res.status).toBe(422);
      expect(res.body.detail[0]).toMatchObject({ type, loc: ["query", "limit"] });
    }
    expect((await list(key, "?limit=1")).status).toBe(200);
    expect((await list(key, "?limit=200")).status).toBe(200);
    const bad = [
      "!!!",
      Buffer.from("[1]").toString("base64url"),
      Buffer.from("not json").toString("base64url"),
      encodeCursor({}),
      encodeCursor({ updated_at: "yesterday" }),
      encodeCursor({ updated_at: 5 }),
      encodeCursor({ updated_at: "2026-01-01T00:00:00" }),
      encodeCursor({ updated_at: "2026-01-01T00:00:00+00:00", workspace_id: "nope" }),
      "A".repeat(9000),
    ];
    for (const cursor of bad) {
      const res = await list(key, `?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(422);
      expect(res.body.detail).toStartWith("Invalid cursor");
    }
  });
});

describe("GET /v1/workspaces/online", async () => {
  const a = await agent("online", "on-a", { human_name: "Ann" });
  const b = await agent("online", "on-b", { human_name: "Ben" });
  const c = await agent("online", "on-c");
  const x = await agent("online-x", "on-x");
  const deps = t.handle.deps;
  await writePresence(deps, { workspace_id: a.workspace_id, alias: "on-a", project_id: a.project_id, human_name: "Ann", member_email: "ann@x.io", role: "dev", program: "bdh", project_slug: "online", current_branch: "main" });
  await Bun.sleep(5);
  await writePresence(deps, { workspace_id: b.workspace_id, alias: "on-b", project_id: b.project_id, human_name: "Ben" });
  await writePresence(deps, { workspace_id: x.workspace_id, alias: "on-x", project_id: x.project_id });

  test("only this project's live presences, most recent first, presence-only fields", async () => {
    const res = await t.request("GET", "/v1/workspaces/online", { token: c.api_key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(ids(res.body)).toEqual([b.workspace_id, a.workspace_id]);
    const ann = res.body.workspaces[1];
    expect(ann).toEqual({
      workspace_id: a.workspace_id,
      alias: "on-a",
      human_name: "Ann",
      project_id: null,
      project_slug: "online",
      program: "bdh",
      model: null,
      repo: null,
      branch: "main",
      member_email: "ann@x.io",
      role: "dev",
      hostname: null,
      workspace_path: null,
      apex_id: null,
      apex_title: null,
      apex_type: null,
      focus_apex_id: null,
      focus_apex_title: null,
      focus_apex_type: null,
      focus_apex_repo_name: null,
      focus_apex_branch: null,
      focus_updated_at: null,
      status: "active",
      last_seen: expect.stringMatching(/\+00:00$/),
      deleted_at: null,
      claims: [],
    });
  });

  test("human_name filter, redaction, expired presence disappears", async () => {
    const ben = await t.request("GET", "/v1/workspaces/online?human_name=Ben", { token: c.api_key });
    expect(ids(ben.body)).toEqual([b.workspace_id]);
    const pub = await t.request("GET", "/v1/workspaces/online", { headers: proxyHeaders(a.project_id, c.workspace_id) });
    expect(pub.status).toBe(200);
    const ann = pub.body.workspaces.find((w: any) => w.alias === "on-a");
    expect([ann.human_name, ann.member_email, ann.role]).toEqual([null, null, null]);
    expect(ann.program).toBe("bdh");
    await t.redis.del(keys.presence(b.workspace_id));
    const after = await t.request("GET", "/v1/workspaces/online", { token: c.api_key });
    expect(ids(after.body)).toEqual([a.workspace_id]);
    const other = await t.request("GET", "/v1/workspaces/online", { token: x.api_key });
    expect(ids(other.body)).toEqual([x.workspace_id]);
  });

  test("presence merges into the list: status and last_seen", async () => {
    const res = await list(c.api_key, "?include_presence=true");
    const byAlias = Object.fromEntries(res.body.workspaces.map((w: any) => [w.alias, w]));
    expect(byAlias["on-a"].status).toBe("active");
    expect(byAlias["on-a"].last_seen).toMatch(/\+00:00$/);
    expect(byAlias["on-b"].status).toBe("offline");
    expect(byAlias["on-c"]).toMatchObject({ status: "offline", last_seen: null });
  });
});

describe("no GET or PATCH /v1/workspaces/{id}", () => {
  test("405", async () => {
    const id = crypto.randomUUID();
    for (const method of ["GET", "PATCH", "PUT"]) {
      const res = await t.request(method, `/v1/workspaces/${id}`, { token: "x" });
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ detail: "Method Not Allowed" });
    }
  });
});

