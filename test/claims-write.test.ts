// POST /v1/claims and /v1/claims/release, claim titles and the bead.claimed /
// bead.unclaimed events (docs/protocol/dashboard-api.md#claims), also when
// claims change through bdh sync; and issue 19 defect 5 (the claimant's alias
// comes from the authenticated workspace, never the body).
import { afterAll, describe, expect, test } from "bun:test";
import { initRepoAgent, startTestApp, type RepoAgent } from "./support/harness";
import { eventsDuring } from "./support/events";
import { proxyHeaders, publicReaderHeaders } from "./support/proxy";
import { command, manyIssues, sync } from "./support/bdh";

const SECRET = "claims-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const a = await initRepoAgent(t, "cw", "cw-a", { human_name: "Ann" });
const b = await initRepoAgent(t, "cw", "cw-b", { human_name: "Bert" });
const boss = await initRepoAgent(t, "cw", "cw-boss", { agent_type: "human", human_name: "Bea" });
const x = await initRepoAgent(t, "cw-x", "cw-x", { agent_type: "human" });
// Titles come from synced issues: bd-0 .. bd-9 titled "Issue n" (the sync sets human_name "Tester").
expect((await sync(t, a, { issues: manyIssues(10) })).status).toBe(200);

const claim = (who: RepoAgent, body: Record<string, unknown>) => t.request("POST", "/v1/claims", { token: who.api_key, body });
const release = (who: RepoAgent, body: Record<string, unknown>) =>
  t.request("POST", "/v1/claims/release", { token: who.api_key, body });
const holders = async (beadId: string) =>
  (await t.sql`select workspace_id, alias from server.bead_claims where bead_id = ${beadId} order by alias`).map((r) => ({ ...r }));

describe("POST /v1/claims", () => {
  test("claims for the caller's own workspace, with the issue's title; bead.claimed on its channel", async () => {
    let res: any;
    const events = await eventsDuring(t, a.workspace_id, async () => {
      res = await claim(a, { bead_id: "bd-1" });
    });
    expect(res.status).toBe(200);
    const [row] = await t.sql`select claimed_at from server.bead_claims where bead_id = 'bd-1'`;
    expect(res.body).toEqual({
      bead_id: "bd-1",
      workspace_id: a.workspace_id,
      alias: "cw-a",
      title: "Issue 1",
      claimed_at: row.claimed_at,
      project_id: a.project_id,
    });
    expect(events).toEqual([
      expect.objectContaining({ workspace_id: a.workspace_id, type: "bead.claimed", bead_id: "bd-1", alias: "cw-a", title: "Issue 1" }),
    ]);
    const list = await t.request("GET", "/v1/claims", { token: b.api_key });
    expect(list.body.claims).toEqual([expect.objectContaining({ bead_id: "bd-1", alias: "cw-a", title: "Issue 1" })]);
  });

  test("held by another workspace: 409 with the pre-flight's text, nothing written", async () => {
    const res = await claim(b, { bead_id: "bd-1", workspace_id: b.workspace_id });
    const preflight = await command(t, b, "update bd-1 --status in_progress");
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: "bd-1 is being worked on by cw-a (Tester)" });
    expect(preflight.body.reason).toBe(res.body.detail);
    expect(await holders("bd-1")).toEqual([{ workspace_id: a.workspace_id, alias: "cw-a" }]);
  });

  test("the holder may claim again (refreshes claimed_at); an unknown bead has a null title", async () => {
    const again = await claim(a, { bead_id: "bd-1" });
    expect(again.status).toBe(200);
    const unknown = await claim(b, { bead_id: "zz-9" });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ bead_id: "zz-9", alias: "cw-b", title: null });
  });

  test("only the caller's own live workspace: 403; public reader 403; 401 without credentials", async () => {
    const other = await claim(b, { bead_id: "bd-2", workspace_id: a.workspace_id });
    expect(other.status).toBe(403);
    expect(other.body.detail).toBe("workspace_id does not match API key identity");
    const foreign = await claim(x, { bead_id: "bd-2", workspace_id: a.workspace_id });
    expect(foreign.status).toBe(403);
    const reader = await t.request("POST", "/v1/claims", {
      headers: publicReaderHeaders(SECRET, a.project_id, a.workspace_id),
      body: { bead_id: "bd-2" },
    });
    expect(reader.status).toBe(403);
    expect(reader.body).toEqual({ detail: "Public readers cannot make changes" });
    expect((await t.request("POST", "/v1/claims", { body: { bead_id: "bd-2" } })).status).toBe(401);
    expect(await holders("bd-2")).toEqual([]);
  });

  test("bad input: 422, nothing written", async () => {
    for (const body of [
      {},
      { bead_id: "" },
      { bead_id: "b".repeat(256) },
      { bead_id: "bd-\u00002" },
      { bead_id: 7 },
      { bead_id: "bd-2", workspace_id: "nope" },
      { bead_id: "bd-2", alias: "cw-b" },
    ]) {
      const res = await claim(a, body);
      expect(res.status).toBe(422);
      expect(res.body.detail).toBeDefined();
    }
    expect(await t.sql`select 1 from server.bead_claims where bead_id like 'bd-%2' or bead_id like 'bbb%'`).toHaveLength(0);
  });
});

describe("POST /v1/claims/release", () => {
  test("an agent releases its own claim (bead.unclaimed); again it is a no-op", async () => {
    await claim(a, { bead_id: "bd-3" });
    let res: any;
    const events = await eventsDuring(t, a.workspace_id, async () => {
      res = await release(a, { bead_id: "bd-3" });
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ released: true, bead_id: "bd-3", workspace_id: a.workspace_id });
    expect(events).toEqual([
      expect.objectContaining({ type: "bead.unclaimed", bead_id: "bd-3", alias: "cw-a", title: "Issue 3" }),
    ]);
    const again = await release(a, { bead_id: "bd-3" });
    expect(again.body).toEqual({ released: false, bead_id: "bd-3", workspace_id: a.workspace_id });
  });

  test("an agent cannot release someone else's claim", async () => {
    await claim(a, { bead_id: "bd-4" });
    const named = await release(b, { bead_id: "bd-4", workspace_id: a.workspace_id });
    expect(named.status).toBe(403);
    const own = await release(b, { bead_id: "bd-4" });
    expect(own.body).toEqual({ released: false, bead_id: "bd-4", workspace_id: b.workspace_id });
    expect(await holders("bd-4")).toEqual([{ workspace_id: a.workspace_id, alias: "cw-a" }]);
  });

  test("a human releases anyone's claim in the project, by workspace or by bead; released_by on the event", async () => {
    let res: any;
    const events = await eventsDuring(t, a.workspace_id, async () => {
      res = await release(boss, { bead_id: "bd-4", workspace_id: a.workspace_id });
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ released: true, bead_id: "bd-4", workspace_id: a.workspace_id });
    expect(events).toEqual([expect.objectContaining({ type: "bead.unclaimed", bead_id: "bd-4", released_by: "cw-boss" })]);
    await claim(a, { bead_id: "bd-5" });
    const byBead = await t.request("POST", "/v1/claims/release", {
      headers: proxyHeaders(SECRET, a.project_id, crypto.randomUUID(), { type: "u" }),
      body: { bead_id: "bd-5" },
    });
    expect(byBead.body).toEqual({ released: true, bead_id: "bd-5", workspace_id: a.workspace_id });
    expect(await holders("bd-5")).toEqual([]);
  });

  test("a human of another project releases nothing here", async () => {
    await claim(a, { bead_id: "bd-6" });
    const res = await release(x, { bead_id: "bd-6", workspace_id: a.workspace_id });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: "Workspace not found or does not belong to your project" });
    const byBead = await release(x, { bead_id: "bd-6" });
    expect(byBead.body).toEqual({ released: false, bead_id: "bd-6", workspace_id: null });
    expect(await holders("bd-6")).toEqual([{ workspace_id: a.workspace_id, alias: "cw-a" }]);
  });

  test("public reader 403, no credentials 401, bad input 422", async () => {
    const reader = await t.request("POST", "/v1/claims/release", {
      headers: publicReaderHeaders(SECRET, a.project_id, a.workspace_id),
      body: { bead_id: "bd-6" },
    });
    expect(reader.status).toBe(403);
    expect((await t.request("POST", "/v1/claims/release", { body: { bead_id: "bd-6" } })).status).toBe(401);
    expect((await release(boss, { bead_id: "" })).status).toBe(422);
    expect((await release(boss, { bead_id: "bd-6", workspace_id: "x" })).status).toBe(422);
    expect(await holders("bd-6")).toHaveLength(1);
  });
});

describe("claims through bdh sync", () => {
  test("update --status in_progress publishes bead.claimed; close publishes bead.unclaimed", async () => {
    const claimed = await eventsDuring(t, b.workspace_id, () => sync(t, b, { command_line: "update bd-7 --status in_progress", issues: manyIssues(10) }));
    expect(claimed).toContainEqual(expect.objectContaining({ type: "bead.claimed", bead_id: "bd-7", alias: "cw-b", title: "Issue 7" }));
    const released = await eventsDuring(t, b.workspace_id, () => sync(t, b, { command_line: "close bd-7", issues: manyIssues(10) }));
    expect(released).toContainEqual(expect.objectContaining({ type: "bead.unclaimed", bead_id: "bd-7", alias: "cw-b" }));
  });

  test("issue 19 defect 5: the body's alias never names the claimant", async () => {
    const res = await sync(t, { ...b, alias: "cw-a" }, { command_line: "update bd-8 --status in_progress", issues: manyIssues(10) });
    expect(res.status).toBe(200);
    expect(res.body.claim_rejected).toBe(false);
    expect(await holders("bd-8")).toEqual([{ workspace_id: b.workspace_id, alias: "cw-b" }]);
    // the peer's own pre-flight is not fooled into thinking it holds the bead
    const peer = await command(t, a, "update bd-8 --status in_progress");
    expect(peer.body).toMatchObject({ approved: false, reason: "bd-8 is being worked on by cw-b (Tester)" });
    const presence = await t.redis.hget(`presence:${b.workspace_id}`, "alias");
    expect(presence).toBe("cw-b");
  });
});

describe("deletions take claims with them and say so", () => {
  test("DELETE /v1/workspaces/{id}: bead.unclaimed per claim with reason workspace_deleted; nothing on a second DELETE", async () => {
    const c = await initRepoAgent(t, "cw", "cw-c", { repo_origin: "git@github.com:acme/cw-del.git" });
    expect((await claim(c, { bead_id: "bd-2" })).status).toBe(200);
    expect((await claim(c, { bead_id: "zz-1" })).status).toBe(200);
    let res: any;
    const events = await eventsDuring(t, c.workspace_id, async () => {
      res = await t.request("DELETE", `/v1/workspaces/${c.workspace_id}`, { token: a.api_key });
    }, 2);
    expect(res.status).toBe(200);
    expect(events.filter((e: any) => e.type === "bead.unclaimed").sort((x: any, y: any) => x.bead_id.localeCompare(y.bead_id))).toEqual([
      expect.objectContaining({ workspace_id: c.workspace_id, bead_id: "bd-2", alias: "cw-c", title: "Issue 2", reason: "workspace_deleted" }),
      expect.objectContaining({ workspace_id: c.workspace_id, bead_id: "zz-1", alias: "cw-c", title: null, reason: "workspace_deleted" }),
    ]);
    expect(await t.sql`select 1 from server.bead_claims where workspace_id = ${c.workspace_id}`).toHaveLength(0);
    let again: any;
    const none = await eventsDuring(t, c.workspace_id, async () => {
      again = await t.request("DELETE", `/v1/workspaces/${c.workspace_id}`, { token: a.api_key });
    });
    expect(again.status).toBe(404);
    expect(none).toEqual([]);
  });

  test("DELETE /v1/repos/{id}: its workspaces' claims go with bead.unclaimed, reason repo_deleted; counts in the answer", async () => {
    const d = await initRepoAgent(t, "cw", "cw-d", { repo_origin: "git@github.com:acme/cw-repo.git" });
    expect((await claim(d, { bead_id: "bd-2" })).status).toBe(200);
    let res: any;
    const events = await eventsDuring(t, d.workspace_id, async () => {
      res = await t.request("DELETE", `/v1/repos/${d.repo_id}`, { token: a.api_key });
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: d.repo_id, workspaces_deleted: 1, claims_deleted: 1 });
    expect(events.filter((e: any) => e.type === "bead.unclaimed")).toEqual([
      expect.objectContaining({ workspace_id: d.workspace_id, bead_id: "bd-2", alias: "cw-d", title: "Issue 2", reason: "repo_deleted" }),
    ]);
    expect(await t.sql`select 1 from server.bead_claims where workspace_id = ${d.workspace_id}`).toHaveLength(0);
  });
});

describe("the claims service without a route (MCP calls it directly)", () => {
  test("checks the bead id itself; workspace_id may be left out", async () => {
    const { claimIssue, releaseIssue } = await import("../src/claims/service");
    const { RequestAuth } = await import("../src/auth/identity");
    const identity = await new RequestAuth(t.handle.deps, new Headers({ authorization: `Bearer ${b.api_key}` })).identity();
    for (const bead_id of ["", "b".repeat(256), "a\0b"]) {
      await expect(claimIssue(t.handle.deps, identity, { bead_id })).rejects.toMatchObject({ status: 422 });
      await expect(releaseIssue(t.handle.deps, identity, { bead_id })).rejects.toMatchObject({ status: 422 });
    }
    const claimed = await claimIssue(t.handle.deps, identity, { bead_id: "bd-9" });
    expect(claimed).toMatchObject({ bead_id: "bd-9", workspace_id: b.workspace_id, alias: "cw-b", title: "Issue 9" });
    expect(await releaseIssue(t.handle.deps, identity, { bead_id: "bd-9" })).toEqual({
      released: true,
      bead_id: "bd-9",
      workspace_id: b.workspace_id,
    });
  });
});
