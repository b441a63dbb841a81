// GET /v1/workspaces/team (docs/protocol/workspaces.md): candidates from SQL,
// final order in memory (claims, online, last_seen, last_claimed, alias).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { initRepoAgent, startTestApp, type RepoAgent } from "./support/harness";
import { publicReaderHeaders } from "./support/proxy";
import { writePresence } from "../src/presence/presence";

const SECRET = "s3cret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());



const agent = (slug: string, alias: string, extra: Record<string, unknown> = {}) => initRepoAgent(t, slug, alias, extra);

const publicReader = (projectId: string, actorId: string) => publicReaderHeaders(SECRET, projectId, actorId);

async function claim(ws: RepoAgent, beadId: string, minutesAgo: number, apex: string | null = null) {
  await t.sql`
    insert into server.bead_claims (project_id, workspace_id, alias, human_name, bead_id, apex_bead_id, apex_repo_name, apex_branch, claimed_at)
    values (${ws.project_id}, ${ws.workspace_id}, ${ws.alias}, 'Tester', ${beadId}, ${apex},
            ${apex ? "github.com/acme/app" : null}, ${apex ? "main" : null}, now() - make_interval(mins => ${minutesAgo}))`;
}

const team = (token: string, qs = "") => t.request("GET", `/v1/workspaces/team${qs}`, { token });
const aliases = (body: any) => body.workspaces.map((w: any) => w.alias);

// g: claim + online; b: newer claim; a: older claim; c: online; d: seen an hour ago; e, f: idle.
const ws: Record<string, RepoAgent> = {};
beforeAll(async () => {
  for (const name of ["a-old", "b-new", "c-online", "d-seen", "e-idle", "f-idle", "g-claim-online"]) {
    ws[name] = await agent("team", name, { human_name: name.startsWith("f") ? "Fay" : "Tester" });
  }
  await claim(ws["a-old"], "bd-a", 30);
  await claim(ws["b-new"], "bd-b", 10, "bd-epic");
  await claim(ws["b-new"], "bd-b2", 20);
  await claim(ws["g-claim-online"], "bd-g", 60);
  await t.sql`update server.workspaces set last_seen_at = now() - interval '1 hour' where workspace_id = ${ws["d-seen"].workspace_id}`;
  await t.sql`
    insert into beads.beads_issues (project_id, bead_id, repo, branch, title, issue_type)
    values (${ws["b-new"].project_id}, 'bd-epic', 'github.com/acme/app', 'main', 'The epic', 'epic'),
           (${ws["b-new"].project_id}, 'bd-b', 'github.com/acme/app', 'main', 'Task B', 'task')`;
  await t.sql`
    update server.workspaces set focus_apex_bead_id = 'bd-epic', focus_apex_repo_name = 'github.com/acme/app',
      focus_apex_branch = 'main', focus_updated_at = now()
    where workspace_id = ${ws["b-new"].workspace_id}`;
  for (const name of ["c-online", "g-claim-online"]) {
    const w = ws[name];
    await writePresence(t.handle.deps, { workspace_id: w.workspace_id, alias: name, project_id: w.project_id, program: "bdh", role: "lead", member_email: "m@x.io" });
  }
});

describe("GET /v1/workspaces/team", () => {
  test("bdh ready's request, byte for byte (Go sorts the keys), and the fields it reads", async () => {
    const me = ws["e-idle"];
    const goOrder = `?always_include_workspace_id=${me.workspace_id}&include_claims=true&include_presence=true&limit=16&only_with_claims=false`;
    const briefOrder = `?include_claims=true&include_presence=true&only_with_claims=false&always_include_workspace_id=${me.workspace_id}&limit=16`;
    const res = await team(me.api_key, goOrder);
    expect(res.status).toBe(200);
    expect((await team(me.api_key, briefOrder)).body).toEqual(res.body);
    expect(res.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(aliases(res.body)).toEqual(["g-claim-online", "b-new", "a-old", "c-online", "d-seen", "e-idle", "f-idle"]);
    const b = res.body.workspaces[1];
    const [focus] = await t.sql`select focus_updated_at from server.workspaces where workspace_id = ${ws["b-new"].workspace_id}`;
    expect(b).toMatchObject({
      focus_apex_id: "bd-epic",
      focus_apex_title: "The epic",
      focus_apex_type: "epic",
      focus_updated_at: focus.focus_updated_at,
      apex_id: "bd-epic",
      apex_title: "The epic",
      apex_type: "epic",
      status: "offline",
      last_seen: null,
      deleted_at: null,
    });
    expect(b.claims.map((c: any) => [c.bead_id, c.title])).toEqual([["bd-b", "Task B"], ["bd-b2", null]]);
    expect(b.claims[0].claimed_at).toMatch(/\+00:00$/);
    const g = res.body.workspaces[0];
    expect(g).toMatchObject({ status: "active", program: "bdh", role: "lead", member_email: "m@x.io" });
    expect(g.last_seen).toMatch(/\+00:00$/);
    expect(res.body.workspaces[4].last_seen).toMatch(/\+00:00$/); // d-seen: DB last_seen_at
  });

  test("defaults: only workspaces with claims, claims included, limit 15", async () => {
    const res = await team(ws["a-old"].api_key);
    expect(res.status).toBe(200);
    expect(aliases(res.body)).toEqual(["g-claim-online", "b-new", "a-old"]);
    expect(res.body.workspaces[1].claims).toHaveLength(2);
  });

  test("limit cuts after sorting; always_include ignores only_with_claims but can still be cut", async () => {
    const key = ws["a-old"].api_key;
    expect(aliases((await team(key, "?only_with_claims=false&limit=2")).body)).toEqual(["g-claim-online", "b-new"]);
    const f = ws["f-idle"].workspace_id;
    expect(aliases((await team(key, `?always_include_workspace_id=${f}`)).body)).toEqual(["g-claim-online", "b-new", "a-old", "f-idle"]);
    expect(aliases((await team(key, `?always_include_workspace_id=${f}&limit=3`)).body)).toEqual(["g-claim-online", "b-new", "a-old"]);
    // upper-case id is normalized; an empty one is ignored
    expect(aliases((await team(key, `?always_include_workspace_id=${f.toUpperCase()}`)).body)).toContain("f-idle");
    expect(aliases((await team(key, "?always_include_workspace_id=")).body)).toEqual(["g-claim-online", "b-new", "a-old"]);
  });

  test("always_include is still scoped: project, live rows, human_name/repo filters", async () => {
    const key = ws["a-old"].api_key;
    const other = await agent("team-other", "z-other");
    expect(aliases((await team(key, `?always_include_workspace_id=${other.workspace_id}`)).body)).not.toContain("z-other");
    const e = ws["e-idle"].workspace_id;
    expect(aliases((await team(key, `?always_include_workspace_id=${e}&human_name=Fay&only_with_claims=false`)).body)).toEqual(["f-idle"]);
    const gone = await agent("team", "h-gone");
    await t.request("DELETE", `/v1/workspaces/${gone.workspace_id}`, { token: key });
    expect(aliases((await team(key, `?always_include_workspace_id=${gone.workspace_id}`)).body)).not.toContain("h-gone");
    expect(aliases((await team(key, "?repo=github.com/acme/other&only_with_claims=false")).body)).toEqual([]);
    expect(aliases((await team(key, "?repo=github.com/acme/app")).body)).toHaveLength(3);
  });

  test("include_presence=false: everyone offline, DB last_seen orders; include_claims=false: no claims", async () => {
    const key = ws["a-old"].api_key;
    const res = await team(key, "?include_presence=false&only_with_claims=false");
    expect(res.body.workspaces.every((w: any) => w.status === "offline" && w.program === null)).toBe(true);
    // claims first (last_claimed desc), then d-seen (DB last_seen), then by alias
    expect(aliases(res.body)).toEqual(["b-new", "a-old", "g-claim-online", "d-seen", "c-online", "e-idle", "f-idle"]);
    const noClaims = await team(key, "?include_claims=false");
    expect(aliases(noClaims.body)).toEqual(["g-claim-online", "b-new", "a-old"]);
    expect(noClaims.body.workspaces.every((w: any) => w.claims.length === 0 && w.apex_id === null)).toBe(true);
  });

  test("validation → 422", async () => {
    const key = ws["a-old"].api_key;
    for (const qs of ["?limit=0", "?limit=201", "?limit=1.5", "?always_include_workspace_id=nope", "?only_with_claims=sure", "?human_name=" + "x".repeat(65)]) {
      const res = await team(key, qs);
      expect(res.status).toBe(422);
      expect(Array.isArray(res.body.detail)).toBe(true);
    }
    const repo = await team(key, "?repo=bad%20repo");
    expect(repo.status).toBe(422);
    expect(repo.body).toEqual({ detail: "Invalid repo format: bad repo" });
    expect((await team(key, "?limit=200")).status).toBe(200);
    expect((await t.request("GET", "/v1/workspaces/team")).status).toBe(401);
  });

  test("public reader: PII redacted; other project sees nothing of this one", async () => {
    const g = ws["g-claim-online"];
    const res = await t.request("GET", "/v1/workspaces/team", { headers: publicReader(g.project_id, g.workspace_id) });
    expect(res.status).toBe(200);
    const first = res.body.workspaces[0];
    expect(first.alias).toBe("g-claim-online");
    expect([first.human_name, first.member_email, first.role, first.hostname, first.workspace_path]).toEqual([null, null, null, null, null]);
    expect(first.claims).toHaveLength(1);
    const other = await agent("team-iso", "iso-a");
    const iso = await team(other.api_key, "?only_with_claims=false");
    expect(aliases(iso.body)).toEqual(["iso-a"]);
  });
});
