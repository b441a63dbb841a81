// Issue 19, defect 3: a claim racing a workspace (or repo) deletion must not
// survive on the deleted workspace. Each pair is released at once; whichever
// wins, the deleted workspace ends with no claim, and nothing answers 5xx.
import { afterAll, describe, expect, test } from "bun:test";
import { initRepoAgent, startTestApp, type RepoAgent } from "./support/harness";
import { sync } from "./support/bdh";

const t = await startTestApp();
afterAll(() => t.close());

const ITERATIONS = 30;
let n = 0;

const claimsOf = async (ws: RepoAgent) =>
  (await t.sql`select bead_id from server.bead_claims where workspace_id = ${ws.workspace_id}`).length;

async function deletedAt(ws: RepoAgent) {
  const [row] = await t.sql`select deleted_at from server.workspaces where workspace_id = ${ws.workspace_id}`;
  return row.deleted_at;
}

/** Both requests start together; returns their statuses. */
async function pair(first: () => Promise<{ status: number }>, second: () => Promise<{ status: number }>) {
  const [x, y] = await Promise.all([first(), second()]);
  return [x.status, y.status];
}

describe("claim vs deletion (issue 19, defect 3)", () => {
  test("POST /v1/claims racing DELETE /v1/workspaces/{id}: the deleted workspace holds no claim", async () => {
    for (let i = 0; i < ITERATIONS; i++) {
      const ws = await initRepoAgent(t, "race", `race-w${++n}`);
      const [claimed, deleted] = await pair(
        () => t.request("POST", "/v1/claims", { token: ws.api_key, body: { bead_id: `bd-${n}` } }),
        () => t.request("DELETE", `/v1/workspaces/${ws.workspace_id}`, { token: ws.api_key }),
      );
      expect(deleted).toBe(200);
      expect([200, 403, 410]).toContain(claimed);
      expect(await deletedAt(ws)).not.toBeNull();
      expect(await claimsOf(ws)).toBe(0);
    }
  });

  test("bdh sync claiming racing DELETE /v1/workspaces/{id}", async () => {
    for (let i = 0; i < ITERATIONS; i++) {
      const ws = await initRepoAgent(t, "race", `race-s${++n}`);
      const [synced, deleted] = await pair(
        () => sync(t, ws, { command_line: `update bd-${n} --status in_progress`, issues: [{ id: `bd-${n}`, title: "x", status: "in_progress" }] }),
        () => t.request("DELETE", `/v1/workspaces/${ws.workspace_id}`, { token: ws.api_key }),
      );
      expect(deleted).toBe(200);
      expect([200, 410]).toContain(synced);
      expect(await claimsOf(ws)).toBe(0);
    }
  });

  test("POST /v1/claims racing DELETE /v1/repos/{id}", async () => {
    for (let i = 0; i < ITERATIONS; i++) {
      const ws = await initRepoAgent(t, "race", `race-r${++n}`, { repo_origin: `git@github.com:acme/race-${n}.git` });
      const [claimed, deleted] = await pair(
        () => t.request("POST", "/v1/claims", { token: ws.api_key, body: { bead_id: `bd-${n}` } }),
        () => t.request("DELETE", `/v1/repos/${ws.repo_id}`, { token: ws.api_key }),
      );
      expect(deleted).toBe(200);
      expect([200, 403, 410]).toContain(claimed);
      expect(await deletedAt(ws)).not.toBeNull();
      expect(await claimsOf(ws)).toBe(0);
    }
  });

  test("a second DELETE cleans a leftover claim (still 404: already deleted)", async () => {
    const ws = await initRepoAgent(t, "race", `race-l${++n}`);
    expect((await t.request("DELETE", `/v1/workspaces/${ws.workspace_id}`, { token: ws.api_key })).status).toBe(200);
    // a leftover as the defect left them
    await t.sql`
      insert into server.bead_claims (project_id, workspace_id, alias, human_name, bead_id)
      values (${ws.project_id}, ${ws.workspace_id}, ${ws.alias}, '', 'bd-left')`;
    const again = await t.request("DELETE", `/v1/workspaces/${ws.workspace_id}`, { token: ws.api_key });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: `Workspace ${ws.workspace_id} is already deleted` });
    expect(await claimsOf(ws)).toBe(0);
  });
});
