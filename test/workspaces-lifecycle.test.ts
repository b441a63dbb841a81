// POST /v1/workspaces/heartbeat, DELETE /v1/workspaces/{id}, POST …/{id}/restore
// (docs/protocol/workspaces.md) and the trigger that keeps workspaces consistent.
import { afterAll, describe, expect, test } from "bun:test";
import { initRepoAgent, startTestApp, type RepoAgent } from "./support/harness";
import { signProxyMessage } from "../src/auth/proxy";
import { writePresence } from "../src/presence/presence";
import { keys } from "../src/redis/keys";

const SECRET = "s3cret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const ORIGIN = "git@github.com:acme/app.git";


const agent = (slug: string, alias: string, extra: Record<string, unknown> = {}) => initRepoAgent(t, slug, alias, extra);

function proxyHeaders(projectId: string, actorId: string, ptype = "u", principal: string = crypto.randomUUID()) {
  const message = `v2:${projectId}:${ptype}:${principal}:${actorId}`;
  const headers: Record<string, string> = {
    "x-bh-auth": `${message}:${signProxyMessage(SECRET, message)}`,
    "x-project-id": projectId,
    "x-aweb-actor-id": actorId,
  };
  if (ptype === "u") headers["x-user-id"] = principal;
  return headers;
}

async function workspaceRow(id: string) {
  const rows = await t.sql`
    select alias, human_name, role, hostname, workspace_path, current_branch, last_seen_at, updated_at, deleted_at, repo_id
    from server.workspaces where workspace_id = ${id}`;
  return rows[0];
}

async function claimCount(id: string): Promise<number> {
  const [{ n }] = await t.sql<{ n: number }[]>`select count(*)::int as n from server.bead_claims where workspace_id = ${id}`;
  return n;
}

async function addClaim(ws: RepoAgent, beadId: string, alias = ws.alias) {
  await t.sql`
    insert into server.bead_claims (project_id, workspace_id, alias, human_name, bead_id)
    values (${ws.project_id}, ${ws.workspace_id}, ${alias}, 'Tester', ${beadId})`;
}

const beat = (body: Record<string, unknown>, opts: { token?: string; headers?: Record<string, string> }) =>
  t.request("POST", "/v1/workspaces/heartbeat", { body, ...opts });

describe("POST /v1/workspaces/heartbeat", async () => {
  const alice = await agent("hb", "alice-dev", { hostname: "h1", workspace_path: "/w/a", role: "dev" });
  const bob = await agent("hb", "bob-dev");

  test("refreshes an existing workspace and writes presence", async () => {
    const before = await workspaceRow(alice.workspace_id);
    const res = await beat(
      { workspace_id: alice.workspace_id.toUpperCase(), alias: "alice-dev", repo_origin: "https://github.com/acme/app", current_branch: "feat/1", hostname: "h2", human_name: "Alice A", extra: 1 },
      { token: alice.api_key },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, workspace_id: alice.workspace_id });
    const row = await workspaceRow(alice.workspace_id);
    // human_name overwritten, role kept (omitted), hostname/path kept (already set)
    expect(row).toMatchObject({ human_name: "Alice A", role: "dev", hostname: "h1", workspace_path: "/w/a", current_branch: "feat/1" });
    expect(row.last_seen_at).not.toBeNull();
    expect(row.updated_at > before.updated_at).toBe(true);
    const p = await t.redis.hgetall(keys.presence(alice.workspace_id));
    expect(p).toMatchObject({ workspace_id: alice.workspace_id, alias: "alice-dev", project_id: alice.project_id, project_slug: "hb", repo_id: alice.repo_id, program: "bdh", status: "active", current_branch: "feat/1", human_name: "Alice A" });
    const list = await t.request("GET", "/v1/workspaces?alias=alice-dev", { token: alice.api_key });
    expect(list.body.workspaces[0]).toMatchObject({ status: "active", program: "bdh", branch: "feat/1", last_seen: p.last_seen });
  });

  test("creates a new workspace (proxy mode: no binding) and fills null hostname later", async () => {
    const id = crypto.randomUUID();
    const headers = proxyHeaders(alice.project_id, id);
    const res = await beat({ workspace_id: id, alias: "newbie", repo_origin: ORIGIN, role: "  Code  Reviewer " }, { headers });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, workspace_id: id });
    expect(await workspaceRow(id)).toMatchObject({ alias: "newbie", role: "code reviewer", hostname: null, repo_id: alice.repo_id });
    expect((await beat({ workspace_id: id, alias: "newbie", repo_origin: ORIGIN, hostname: "hx", workspace_path: "/p" }, { headers })).status).toBe(200);
    expect(await workspaceRow(id)).toMatchObject({ hostname: "hx", workspace_path: "/p", role: "code reviewer" });
  });

  test("actor binding: another agent's workspace_id → 403", async () => {
    const res = await beat({ workspace_id: bob.workspace_id, alias: "bob-dev", repo_origin: ORIGIN }, { token: alice.api_key });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: "workspace_id does not match API key identity" });
  });

  test("mismatches: other project 400, alias 409, repo 400; the trigger is never hit", async () => {
    const carol = await agent("hb-other", "carol-dev");
    const cross = await beat({ workspace_id: alice.workspace_id, alias: "alice-dev", repo_origin: ORIGIN }, { headers: proxyHeaders(carol.project_id, alice.workspace_id) });
    expect(cross.status).toBe(400);
    expect(cross.body.detail).toStartWith(`Workspace ${alice.workspace_id} does not belong to this project.`);
    const alias = await beat({ workspace_id: alice.workspace_id, alias: "alice-renamed", repo_origin: ORIGIN }, { token: alice.api_key });
    expect(alias.status).toBe(409);
    expect(alias.body.detail).toBe(`Alias mismatch for workspace ${alice.workspace_id} (expected 'alice-dev', got 'alice-renamed'). Run 'bdh :init' to re-register.`);
    const repo = await beat({ workspace_id: alice.workspace_id, alias: "alice-dev", repo_origin: "git@github.com:acme/other.git" }, { token: alice.api_key });
    expect(repo.status).toBe(400);
    expect(repo.body.detail).toStartWith("Repo mismatch:");
    expect((await workspaceRow(alice.workspace_id)).alias).toBe("alice-dev");
  });

  test("alias collisions for a new workspace: live workspace, claim row, live presence → 409", async () => {
    const headers = (id: string) => proxyHeaders(alice.project_id, id);
    const taken = async (alias: string) => {
      const id = crypto.randomUUID();
      return beat({ workspace_id: id, alias, repo_origin: ORIGIN }, { headers: headers(id) });
    };
    const live = await taken("bob-dev");
    expect(live.status).toBe(409);
    expect(live.body.detail).toBe("Alias 'bob-dev' is already used by another workspace in this project. Please choose a different alias and run 'bdh :init' again.");
    await addClaim(bob, "bd-ghost", "ghost-dev");
    expect((await taken("ghost-dev")).status).toBe(409);
    const holder = crypto.randomUUID();
    await writePresence(t.handle.deps, { workspace_id: holder, alias: "redis-dev", project_id: alice.project_id });
    expect((await taken("redis-dev")).status).toBe(409);
    // a stale alias index entry (its presence expired) is removed, not a collision
    await t.redis.set(keys.aliasIndex(alice.project_id, "stale-dev"), crypto.randomUUID());
    expect((await taken("stale-dev")).status).toBe(200);
  });

  test("deleted workspace → 410; deleted repo → 410", async () => {
    const dan = await agent("hb", "dan-dev");
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${dan.workspace_id}`;
    const res = await beat({ workspace_id: dan.workspace_id, alias: "dan-dev", repo_origin: ORIGIN }, { token: dan.api_key });
    expect(res.status).toBe(410);
    expect(res.body).toEqual({ detail: "Workspace was deleted. Run 'bdh :init' to re-register." });
    const eve = await agent("hb-repo", "eve-dev");
    await t.sql`update server.repos set deleted_at = now() where id = ${eve.repo_id}`;
    const repo = await beat({ workspace_id: eve.workspace_id, alias: "eve-dev", repo_origin: ORIGIN }, { token: eve.api_key });
    expect(repo.status).toBe(410);
    expect(repo.body).toEqual({ detail: "Workspace repository was deleted. Run 'bdh :init' to re-register." });
  });

  test("validation → 422, public reader → 403, unknown project → 404", async () => {
    const base = { workspace_id: alice.workspace_id, alias: "alice-dev", repo_origin: ORIGIN };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, workspace_id: "nope" }, "workspace_id"],
      [{ ...base, workspace_id: "" }, "workspace_id"],
      [{ ...base, alias: "-x" }, "alias"],
      [{ ...base, repo_origin: "not a url" }, "repo_origin"],
      [{ ...base, repo_origin: "https://github.com/" + "a".repeat(510) }, "repo_origin"],
      [{ ...base, role: "three word role" }, "role"],
      [{ ...base, hostname: "a\u0001" }, "hostname"],
      [{ workspace_id: alice.workspace_id, repo_origin: ORIGIN }, "alias"],
    ];
    for (const [body, field] of cases) {
      const res = await beat(body, { token: alice.api_key });
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(["body", field]);
    }
    const pub = await beat(base, { headers: proxyHeaders(alice.project_id, alice.workspace_id, "p", "reader") });
    expect(pub.status).toBe(403);
    const ghostProject = crypto.randomUUID();
    const id = crypto.randomUUID();
    const none = await beat({ ...base, workspace_id: id, alias: "nobody" }, { headers: proxyHeaders(ghostProject, id) });
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ detail: "Project not found" });
    expect(await workspaceRow(id)).toBeUndefined();
  });
});

describe("DELETE /v1/workspaces/{id}", async () => {
  const a = await agent("del", "del-a");
  const b = await agent("del", "del-b");
  const x = await agent("del-x", "del-x");

  test("any member deletes any workspace: claims released, presence kept", async () => {
    await addClaim(a, "bd-1");
    await addClaim(a, "bd-2");
    await addClaim(b, "bd-3");
    await writePresence(t.handle.deps, { workspace_id: a.workspace_id, alias: "del-a", project_id: a.project_id });
    const res = await t.request("DELETE", `/v1/workspaces/${a.workspace_id}`, { token: b.api_key });
    expect(res.status).toBe(200);
    const row = await workspaceRow(a.workspace_id);
    expect(res.body).toEqual({ workspace_id: a.workspace_id, alias: "del-a", deleted_at: row.deleted_at });
    expect(row.deleted_at).toMatch(/\+00:00$/);
    expect(await claimCount(a.workspace_id)).toBe(0);
    expect(await claimCount(b.workspace_id)).toBe(1);
    expect(await t.redis.exists(keys.presence(a.workspace_id))).toBe(1);
  });

  test("404s, 422, public reader 403, other project changes nothing", async () => {
    const again = await t.request("DELETE", `/v1/workspaces/${a.workspace_id}`, { token: b.api_key });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: `Workspace ${a.workspace_id} is already deleted` });
    const unknown = crypto.randomUUID();
    const missing = await t.request("DELETE", `/v1/workspaces/${unknown}`, { token: b.api_key });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: `Workspace ${unknown} not found` });
    const bad = await t.request("DELETE", "/v1/workspaces/not-a-uuid", { token: b.api_key });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({ loc: ["path", "workspace_id"], msg: "Invalid workspace_id format" });
    const foreign = await t.request("DELETE", `/v1/workspaces/${b.workspace_id}`, { token: x.api_key });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: `Workspace ${b.workspace_id} not found` });
    expect((await workspaceRow(b.workspace_id)).deleted_at).toBeNull();
    expect(await claimCount(b.workspace_id)).toBe(1);
    const pub = await t.request("DELETE", `/v1/workspaces/${b.workspace_id}`, { headers: proxyHeaders(b.project_id, b.workspace_id, "p", "r") });
    expect(pub.status).toBe(403);
    expect((await workspaceRow(b.workspace_id)).deleted_at).toBeNull();
    expect((await t.request("DELETE", `/v1/workspaces/${b.workspace_id}`)).status).toBe(401);
  });
});

describe("POST /v1/workspaces/{id}/restore", async () => {
  const a = await agent("rs", "rs-a");
  const b = await agent("rs", "rs-b");
  const x = await agent("rs-x", "rs-x");

  test("restores a deleted workspace; claims stay released", async () => {
    await addClaim(a, "bd-1");
    expect((await t.request("DELETE", `/v1/workspaces/${a.workspace_id}`, { token: b.api_key })).status).toBe(200);
    const res = await t.request("POST", `/v1/workspaces/${a.workspace_id}/restore`, { token: a.api_key });
    expect(res.status).toBe(200);
    const row = await workspaceRow(a.workspace_id);
    expect(res.body).toEqual({ workspace_id: a.workspace_id, alias: "rs-a", restored_at: row.updated_at });
    expect(row.deleted_at).toBeNull();
    expect(await claimCount(a.workspace_id)).toBe(0);
  });

  test("409 when active; binding 403; other project 404; 422", async () => {
    const active = await t.request("POST", `/v1/workspaces/${a.workspace_id}/restore`, { token: a.api_key });
    expect(active.status).toBe(409);
    expect(active.body).toEqual({ detail: `Workspace ${a.workspace_id} is already active (not deleted)` });
    await t.request("DELETE", `/v1/workspaces/${a.workspace_id}`, { token: b.api_key });
    const bound = await t.request("POST", `/v1/workspaces/${a.workspace_id}/restore`, { token: b.api_key });
    expect(bound.status).toBe(403);
    expect(bound.body).toEqual({ detail: "workspace_id does not match API key identity" });
    const foreign = await t.request("POST", `/v1/workspaces/${a.workspace_id}/restore`, { headers: proxyHeaders(x.project_id, x.workspace_id) });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: `Workspace ${a.workspace_id} not found` });
    expect((await workspaceRow(a.workspace_id)).deleted_at).not.toBeNull();
    const bad = await t.request("POST", "/v1/workspaces/xyz/restore", { token: a.api_key });
    expect(bad.status).toBe(422);
  });

  test("409 when the alias was taken meanwhile, or the repo is gone", async () => {
    const id = crypto.randomUUID();
    const taken = await beat({ workspace_id: id, alias: "rs-a", repo_origin: ORIGIN }, { headers: proxyHeaders(a.project_id, id) });
    expect(taken.status).toBe(200);
    const res = await t.request("POST", `/v1/workspaces/${a.workspace_id}/restore`, { token: a.api_key });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: "Cannot restore: alias 'rs-a' is now used by another workspace" });

    const c = await agent("rs-repo", "rs-c");
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${c.workspace_id}`;
    await t.sql`update server.repos set deleted_at = now() where id = ${c.repo_id}`;
    const gone = await t.request("POST", `/v1/workspaces/${c.workspace_id}/restore`, { token: c.api_key });
    expect(gone.status).toBe(409);
    expect(gone.body.detail).toStartWith("Cannot restore: the workspace's repo was deleted");
  });
});

describe("workspaces trigger (§17)", () => {
  test("alias/project are immutable in SQL; every update bumps updated_at", async () => {
    const w = await agent("trig", "trig-a");
    await expect(t.sql`update server.workspaces set alias = 'other' where workspace_id = ${w.workspace_id}`).rejects.toThrow("alias is immutable");
    const before = await workspaceRow(w.workspace_id);
    await t.sql`update server.workspaces set role = role where workspace_id = ${w.workspace_id}`;
    expect((await workspaceRow(w.workspace_id)).updated_at > before.updated_at).toBe(true);
  });
});
