import { afterAll, describe, expect, test } from "bun:test";
import { hashApiKey } from "../src/auth/api-keys";
import { CANDIDATES } from "../src/agents/alias-prefix";
import { initAgent, startTestApp } from "./support/harness";

const t = await startTestApp();
afterAll(() => t.close());

const ORIGIN = "git@github.com:acme/boot.git";
const owner = await initAgent(t, { project_slug: "boot", alias: "alice-owner", repo_origin: ORIGIN });

describe("POST /v1/agents/suggest-alias-prefix", () => {
  test("unknown project → alice with null project_id", async () => {
    const res = await t.request("POST", "/v1/agents/suggest-alias-prefix", { body: { project_slug: " nowhere " } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ project_slug: "nowhere", project_id: null, name_prefix: "alice" });
  });

  test("known project → next free prefix", async () => {
    const res = await t.request("POST", "/v1/agents/suggest-alias-prefix", { body: { project_slug: "boot" } });
    expect(res.body).toEqual({ project_slug: "boot", project_id: owner.project_id, name_prefix: "bob" });
  });

  test("invalid slug → 422; missing → 422", async () => {
    expect((await t.request("POST", "/v1/agents/suggest-alias-prefix", { body: { project_slug: "a b" } })).status).toBe(422);
    const missing = await t.request("POST", "/v1/agents/suggest-alias-prefix", { body: {} });
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toMatchObject({ type: "missing", loc: ["body", "project_slug"] });
  });

  test("all 2,600 prefixes used → 409 alias_exhausted", async () => {
    const p = await initAgent(t, { project_slug: "full", alias: "seed", repo_origin: null });
    await t.sql`
      insert into aweb.agents (project_id, alias)
      select ${p.project_id}, unnest(${t.sql.array(CANDIDATES as string[])}::text[])`;
    const res = await t.request("POST", "/v1/agents/suggest-alias-prefix", { body: { project_slug: "full" } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: "alias_exhausted" });
    const init = await t.request("POST", "/v1/init", { body: { project_slug: "full" } });
    expect(init.status).toBe(409);
    expect(init.body).toEqual({ detail: "All name prefixes are taken." });
  });
});

describe("POST /v1/workspaces/suggest-name-prefix", () => {
  const suggest = (origin_url: string, token?: string) =>
    t.request("POST", "/v1/workspaces/suggest-name-prefix", { body: { origin_url }, token });

  test("registered repo, no auth → its project and the next prefix", async () => {
    const res = await suggest("https://github.com/acme/boot");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name_prefix: "bob",
      project_id: owner.project_id,
      project_slug: "boot",
      repo_id: owner.repo_id,
      canonical_origin: "github.com/acme/boot",
    });
  });

  test("unregistered repo, no auth → 404 naming the repo", async () => {
    const res = await suggest("git@github.com:acme/unknown.git");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "Repo not registered: github.com/acme/unknown. Run 'bdh :init' to register." });
  });

  test("unregistered repo with auth → the caller's project, empty repo_id", async () => {
    const res = await suggest("git@github.com:acme/new.git", owner.api_key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ project_id: owner.project_id, project_slug: "boot", repo_id: "", name_prefix: "bob" });
  });

  test("a bad key is validated when present → 401", async () => {
    const res = await suggest(ORIGIN, "aw_sk_" + "0".repeat(64));
    expect(res.status).toBe(401);
  });

  test("repo in two projects: 409 without auth, 403 for a third project's key", async () => {
    const other = await initAgent(t, { project_slug: "boot2", alias: "x", repo_origin: ORIGIN });
    const anon = await suggest(ORIGIN);
    expect(anon.status).toBe(409);
    expect(anon.body.detail).toStartWith("Repo exists in multiple projects: boot, boot2.");
    const mine = await suggest(ORIGIN, other.api_key);
    expect(mine.body.project_id).toBe(other.project_id);
    const stranger = await initAgent(t, { project_slug: "boot3", alias: "y", repo_origin: "git@github.com:acme/else.git" });
    const res = await suggest(ORIGIN, stranger.api_key);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: "Repo does not belong to your project" });
  });

  test("uncanonicalizable origin → 422", async () => {
    const res = await suggest("nope");
    expect(res.status).toBe(422);
    expect(res.body.detail[0].msg).toStartWith("Invalid origin_url:");
  });
});

describe("POST /v1/workspaces/register", () => {
  test("registers the key's agent in a repo (bdh :init --update shape)", async () => {
    const bare = await initAgent(t, { project_slug: "reg", alias: "reggie", repo_origin: null, human_name: "Reg" });
    const res = await t.request("POST", "/v1/workspaces/register", {
      token: bare.api_key,
      body: { repo_origin: "git@github.com:acme/reg.git", role: "Reviewer", hostname: "box", workspace_path: "/src/reg" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      workspace_id: bare.agent_id,
      project_id: bare.project_id,
      project_slug: "reg",
      repo_id: res.body.repo_id,
      canonical_origin: "github.com/acme/reg",
      alias: "reggie",
      human_name: "Reg",
      created: true,
    });
    const again = await t.request("POST", "/v1/workspaces/register", { token: bare.api_key, body: { repo_origin: "https://github.com/acme/reg.git" } });
    expect(again.body.created).toBe(false);
    const [ws] = await t.sql`select role, hostname, workspace_path from server.workspaces where workspace_id = ${bare.agent_id}`;
    // Overwritten with the body values, including absent → null (beadhub.md §4.2).
    expect(ws).toEqual({ role: null, hostname: null, workspace_path: null });
  });

  test("another repo → 409", async () => {
    const res = await t.request("POST", "/v1/workspaces/register", { token: owner.api_key, body: { repo_origin: "git@github.com:acme/other.git" } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: "Workspace already registered for another repo" });
  });

  test("no key → 401; key without agent → 401; bad origin → 422", async () => {
    expect((await t.request("POST", "/v1/workspaces/register", { body: { repo_origin: ORIGIN } })).status).toBe(401);
    const key = "aw_sk_" + "cd".repeat(32);
    await t.sql`insert into aweb.api_keys (project_id, key_prefix, key_hash) values (${owner.project_id}, ${key.slice(0, 12)}, ${hashApiKey(key)})`;
    const unbound = await t.request("POST", "/v1/workspaces/register", { token: key, body: { repo_origin: ORIGIN } });
    expect(unbound.status).toBe(401);
    expect(unbound.body).toEqual({ detail: "Invalid API key" });
    const bad = await t.request("POST", "/v1/workspaces/register", { token: owner.api_key, body: { repo_origin: "::" } });
    expect(bad.status).toBe(422);
  });
});

describe("projects", () => {
  test("GET /v1/projects/current", async () => {
    const res = await t.request("GET", "/v1/projects/current", { token: owner.api_key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ project_id: owner.project_id, slug: "boot", name: "boot" });
  });

  test("a soft-deleted project → 404", async () => {
    const gone = await initAgent(t, { project_slug: "gone", alias: "g", repo_origin: null });
    await t.sql`update aweb.projects set deleted_at = now() where project_id = ${gone.project_id}`;
    const res = await t.request("GET", "/v1/projects/current", { token: gone.api_key });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "Project not found" });
  });

  test("GET /v1/projects lists only the caller's project with counts", async () => {
    const res = await t.request("GET", "/v1/projects", { token: owner.api_key });
    expect(res.status).toBe(200);
    expect(res.body.projects).toEqual([
      { id: owner.project_id, slug: "boot", name: "boot", created_at: expect.any(String), repo_count: 1, workspace_count: 1 },
    ]);
  });

  test("DELETE /v1/projects/{id}: another project → 404, own → 403, bad id → 422", async () => {
    const other = await initAgent(t, { project_slug: "del-other", alias: "d", repo_origin: null });
    expect((await t.request("DELETE", `/v1/projects/${other.project_id}`, { token: owner.api_key })).status).toBe(404);
    expect((await t.request("DELETE", `/v1/projects/${owner.project_id}`, { token: owner.api_key })).status).toBe(403);
    expect((await t.request("DELETE", `/v1/projects/not-a-uuid`, { token: owner.api_key })).status).toBe(422);
  });
});
