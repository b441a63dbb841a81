// /v1/repos (docs/protocol/projects.md). Decision (docs/decisions.md): project auth required,
// every route scoped to the caller's project.
import { afterAll, describe, expect, test } from "bun:test";
import { startTestApp } from "./support/harness";
import { publicReaderHeaders } from "./support/proxy";
import { encodeCursor } from "../src/http/wire";
import { writePresence } from "../src/presence/presence";
import { keys } from "../src/redis/keys";

const SECRET = "s3cret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

interface Made {
  api_key: string;
  project_id: string;
  workspace_id: string;
  repo_id: string;
  alias: string;
}

async function agent(slug: string, alias: string, origin = "git@github.com:acme/app.git"): Promise<Made> {
  const res = await t.request("POST", "/v1/init", { body: { project_slug: slug, alias, repo_origin: origin } });
  if (res.status !== 200) throw new Error(`init ${res.status} ${res.text}`);
  return res.body;
}

const publicReader = (projectId: string, actorId: string) => publicReaderHeaders(SECRET, projectId, actorId);

describe("POST /v1/repos/lookup", async () => {
  const a = await agent("lk", "lk-a", "https://github.com/acme/shared.git");
  const x = await agent("lk-x", "lk-x", "git@github.com:acme/shared.git");

  test("finds the caller's repo, never another project's", async () => {
    const res = await t.request("POST", "/v1/repos/lookup", { token: a.api_key, body: { origin_url: "git@github.com:acme/shared.git", extra: true } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ repo_id: a.repo_id, project_id: a.project_id, project_slug: "lk", canonical_origin: "github.com/acme/shared", name: "shared" });
    const other = await t.request("POST", "/v1/repos/lookup", { token: x.api_key, body: { origin_url: "https://github.com/acme/shared" } });
    expect(other.body.repo_id).toBe(x.repo_id);
    const missing = await t.request("POST", "/v1/repos/lookup", { token: a.api_key, body: { origin_url: "git@github.com:acme/none.git" } });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: "Repo not found: github.com/acme/none" });
  });

  test("422 on bad origins, 401 without auth; public readers may look up", async () => {
    const bad = await t.request("POST", "/v1/repos/lookup", { token: a.api_key, body: { origin_url: "nope" } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(["body", "origin_url"]);
    expect((await t.request("POST", "/v1/repos/lookup", { token: a.api_key, body: {} })).status).toBe(422);
    const anon = await t.request("POST", "/v1/repos/lookup", { body: { origin_url: "git@github.com:acme/shared.git" } });
    expect(anon.status).toBe(401);
    const pub = await t.request("POST", "/v1/repos/lookup", { headers: publicReader(a.project_id, a.workspace_id), body: { origin_url: "git@github.com:acme/shared.git" } });
    expect(pub.status).toBe(200);
  });
});

describe("POST /v1/repos/ensure", async () => {
  const a = await agent("en", "en-a");
  const x = await agent("en-x", "en-x");

  test("creates, then finds (created=false), and revives a deleted repo", async () => {
    const body = { project_id: a.project_id, origin_url: "git@github.com:acme/lib.git" };
    const first = await t.request("POST", "/v1/repos/ensure", { token: a.api_key, body });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ repo_id: expect.any(String), canonical_origin: "github.com/acme/lib", name: "lib", created: true });
    const again = await t.request("POST", "/v1/repos/ensure", { token: a.api_key, body: { ...body, origin_url: "https://github.com/acme/lib" } });
    expect(again.body).toEqual({ ...first.body, created: false });
    await t.sql`update server.repos set deleted_at = now() where id = ${first.body.repo_id}`;
    const revived = await t.request("POST", "/v1/repos/ensure", { token: a.api_key, body });
    expect(revived.body).toEqual({ ...first.body, created: false });
    const [row] = await t.sql`select deleted_at, origin_url from server.repos where id = ${first.body.repo_id}`;
    expect(row).toEqual({ deleted_at: null, origin_url: "git@github.com:acme/lib.git" });
  });

  test("another project's id → 404 and nothing created; bad ids → 422; public reader → 403", async () => {
    const foreign = await t.request("POST", "/v1/repos/ensure", { token: x.api_key, body: { project_id: a.project_id, origin_url: "git@github.com:acme/evil.git" } });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: "Project not found" });
    const [{ n }] = await t.sql`select count(*)::int as n from server.repos where canonical_origin = 'github.com/acme/evil'`;
    expect(n).toBe(0);
    const notUuid = await t.request("POST", "/v1/repos/ensure", { token: a.api_key, body: { project_id: "x".repeat(36), origin_url: "git@github.com:a/b.git" } });
    expect(notUuid.status).toBe(422);
    expect(notUuid.body.detail[0]).toMatchObject({ loc: ["body", "project_id"], msg: "Invalid project_id: must be a valid UUID" });
    const short = await t.request("POST", "/v1/repos/ensure", { token: a.api_key, body: { project_id: "abc", origin_url: "git@github.com:a/b.git" } });
    expect(short.status).toBe(422);
    expect(short.body.detail[0]).toMatchObject({ type: "string_too_short", loc: ["body", "project_id"] });
    const pub = await t.request("POST", "/v1/repos/ensure", { headers: publicReader(a.project_id, a.workspace_id), body: { project_id: a.project_id, origin_url: "git@github.com:a/b.git" } });
    expect(pub.status).toBe(403);
  });
});

describe("GET /v1/repos", async () => {
  const a = await agent("ls", "ls-a", "git@github.com:acme/one.git");
  const a2 = await agent("ls", "ls-b", "git@github.com:acme/one.git");
  await agent("ls", "ls-c", "git@github.com:acme/two.git");
  await agent("ls", "ls-d", "git@github.com:acme/three.git");
  const x = await agent("ls-x", "ls-x", "git@github.com:acme/one.git");
  await t.request("DELETE", `/v1/workspaces/${a2.workspace_id}`, { token: a.api_key });

  test("the caller's live repos, oldest first, created_at in Z style, live workspace counts", async () => {
    const res = await t.request("GET", "/v1/repos", { token: a.api_key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(res.body.repos.map((r: any) => [r.name, r.workspace_count])).toEqual([["one", 1], ["two", 1], ["three", 1]]);
    const [row] = await t.sql`select created_at from server.repos where id = ${a.repo_id}`;
    expect(res.body.repos[0]).toEqual({
      id: a.repo_id,
      project_id: a.project_id,
      canonical_origin: "github.com/acme/one",
      name: "one",
      created_at: row.created_at.replace("+00:00", "Z"),
      workspace_count: 1,
    });
    expect(res.body.repos[0].created_at).toMatch(/Z$/);
    const mine = await t.request("GET", `/v1/repos?project_id=${a.project_id}`, { token: a.api_key });
    expect(mine.body.repos).toHaveLength(3);
    const theirs = await t.request("GET", `/v1/repos?project_id=${x.project_id}`, { token: a.api_key });
    expect(theirs.body).toEqual({ repos: [], has_more: false, next_cursor: null });
    const other = await t.request("GET", "/v1/repos", { token: x.api_key });
    expect(other.body.repos.map((r: any) => r.id)).toEqual([x.repo_id]);
  });

  test("pagination and validation", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.request("GET", `/v1/repos?limit=1${cursor ? `&cursor=${cursor}` : ""}`, { token: a.api_key });
      expect(res.status).toBe(200);
      expect(res.body.repos).toHaveLength(1);
      seen.push(res.body.repos[0].name);
      cursor = res.body.next_cursor;
      expect(res.body.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual(["one", "two", "three"]);
    for (const qs of ["?limit=0", "?limit=201", "?project_id=nope", `?cursor=${encodeCursor({ created_at: "2026-01-01T00:00:00+00:00" })}`, `?cursor=${encodeCursor({ id: a.repo_id })}`, "?cursor=%%%"]) {
      const res = await t.request("GET", `/v1/repos${qs}`, { token: a.api_key });
      expect(res.status).toBe(422);
    }
    expect((await t.request("GET", "/v1/repos")).status).toBe(401);
  });
});

describe("DELETE /v1/repos/{id}", async () => {
  const a = await agent("rd", "rd-a", "git@github.com:acme/gone.git");
  const b = await agent("rd", "rd-b", "git@github.com:acme/gone.git");
  const keep = await agent("rd", "rd-keep", "git@github.com:acme/keep.git");
  const x = await agent("rd-x", "rd-x", "git@github.com:acme/gone.git");

  test("foreign repo → 404 and unchanged; public reader → 403; bad id → 422", async () => {
    const foreign = await t.request("DELETE", `/v1/repos/${a.repo_id}`, { token: x.api_key });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: "Repo not found" });
    const [row] = await t.sql`select deleted_at from server.repos where id = ${a.repo_id}`;
    expect(row.deleted_at).toBeNull();
    const pub = await t.request("DELETE", `/v1/repos/${a.repo_id}`, { headers: publicReader(a.project_id, a.workspace_id) });
    expect(pub.status).toBe(403);
    const bad = await t.request("DELETE", "/v1/repos/nope", { token: a.api_key });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(["path", "repo_id"]);
  });

  test("cascades: workspaces soft-deleted, their claims deleted, presence cleared", async () => {
    for (const [w, bead] of [[a, "bd-1"], [a, "bd-2"], [b, "bd-3"], [keep, "bd-4"]] as const) {
      await t.sql`
        insert into server.bead_claims (project_id, workspace_id, alias, human_name, bead_id)
        values (${w.project_id}, ${w.workspace_id}, ${w.alias}, '', ${bead})`;
    }
    await writePresence(t.handle.deps, { workspace_id: a.workspace_id, alias: a.alias, project_id: a.project_id });
    await writePresence(t.handle.deps, { workspace_id: keep.workspace_id, alias: keep.alias, project_id: keep.project_id });
    const res = await t.request("DELETE", `/v1/repos/${a.repo_id}`, { token: keep.api_key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: a.repo_id, workspaces_deleted: 2, claims_deleted: 3, presence_cleared: 1 });
    const rows = await t.sql`select workspace_id from server.workspaces where repo_id = ${a.repo_id} and deleted_at is null`;
    expect(rows).toHaveLength(0);
    const [{ n }] = await t.sql`select count(*)::int as n from server.bead_claims where project_id = ${a.project_id}`;
    expect(n).toBe(1);
    expect(await t.redis.exists(keys.presence(a.workspace_id))).toBe(0);
    expect(await t.redis.sismember(keys.allWorkspaces(), a.workspace_id)).toBe(0);
    expect(await t.redis.exists(keys.presence(keep.workspace_id))).toBe(1);
    const list = await t.request("GET", "/v1/repos", { token: keep.api_key });
    expect(list.body.repos.map((r: any) => r.name)).toEqual(["keep"]);
    const again = await t.request("DELETE", `/v1/repos/${a.repo_id}`, { token: keep.api_key });
    expect(again.status).toBe(404);
    // the other project's repo with the same origin is untouched
    const theirs = await t.request("GET", "/v1/repos", { token: x.api_key });
    expect(theirs.body.repos.map((r: any) => [r.id, r.workspace_count])).toEqual([[x.repo_id, 1]]);
  });
});
