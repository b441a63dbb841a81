// GET /v1/status (docs/protocol/status.md): shape per filter, redaction for
// the public reader, project isolation, and the error statuses.
import { afterAll, describe, expect, test } from "bun:test";
import { publicReaderHeaders } from "./support/proxy";
import { writePresence } from "../src/presence/presence";
import { initAgent, startTestApp, type Agent } from "./support/harness";

const SECRET = "status-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$/;
const APP = "git@github.com:acme/app.git";
const TOOLS = "git@github.com:acme/tools.git";

const alice = await initAgent(t, { project_slug: "status", alias: "alice", human_name: "Alice", repo_origin: APP });
const bob = await initAgent(t, { project_slug: "status", alias: "bob", human_name: "Bob", repo_origin: TOOLS });
const carol = await initAgent(t, { project_slug: "status", alias: "carol", human_name: "Carol", repo_origin: APP });
const gone = await initAgent(t, { project_slug: "status", alias: "gone", human_name: "Gone", repo_origin: APP });
const olga = await initAgent(t, { project_slug: "status-other", alias: "olga", human_name: "Olga", repo_origin: APP });
const noRepo = await initAgent(t, { project_slug: "status-bare", alias: "bare", repo_origin: null });

// gone is soft-deleted: never part of any workspace set.
await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${gone.workspace_id}`;
// A fixed updated_at order for the project-wide set: carol, bob, alice.
for (const [a, minutes] of [[alice, 30], [bob, 20], [carol, 10]] as const) {
  await t.sql`update server.workspaces set updated_at = now() - make_interval(mins => ${minutes}::int)
              where workspace_id = ${a.workspace_id}`;
}

async function presence(a: Agent, extra: Record<string, string> = {}) {
  await writePresence(t.handle.deps, {
    workspace_id: a.workspace_id!,
    alias: a.alias,
    project_id: a.project_id,
    project_slug: a.project_slug,
    human_name: "x",
    member_email: `${a.alias}@example.com`,
    program: "claude-code",
    ...extra,
  });
}
await presence(alice, { role: "developer" });
await presence(bob);
await presence(gone);
await presence(olga);
// carol has no presence: listed in claims, absent from agents.

async function claim(a: Agent, beadId: string, minutesAgo: number) {
  await t.sql`
    insert into server.bead_claims (project_id, workspace_id, alias, human_name, bead_id, claimed_at)
    values (${a.project_id}, ${a.workspace_id}, ${a.alias}, ${a.alias === "olga" ? "Olga" : a.alias[0].toUpperCase() + a.alias.slice(1)},
            ${beadId}, now() - make_interval(mins => ${minutesAgo}::int))`;
}
await claim(alice, "bd-2", 50);
await claim(bob, "bd-1", 40);
await claim(alice, "bd-1", 30);
await claim(carol, "bd-3", 20);
await claim(olga, "bd-1", 10); // same bead id in another project: not a conflict here
await t.sql`insert into beads.beads_issues (project_id, bead_id, repo, title, synced_at)
            values (${alice.project_id}, 'bd-1', 'github.com/acme/app', 'old title', now() - interval '1 hour'),
                   (${alice.project_id}, 'bd-1', 'github.com/acme/tools', 'Fix the login', now()),
                   (${olga.project_id}, 'bd-3', 'github.com/acme/app', 'not ours', now())`;

async function escalation(a: Agent) {
  const res = await t.request("POST", "/v1/escalations", {
    token: a.api_key,
    body: { workspace_id: a.workspace_id, alias: a.alias, subject: "help", situation: "stuck" },
  });
  expect(res.status).toBe(200);
  return res.body.escalation_id as string;
}
await escalation(alice);
const expired = await escalation(alice);
const responded = await escalation(bob);
await escalation(olga);
await t.sql`update server.escalations set expires_at = now() - interval '1 minute' where id = ${expired}`;
await t.sql`update server.escalations set status = 'responded' where id = ${responded}`;

const claimOf = (a: Agent, bead: string, count: number, title: string | null) => ({
  bead_id: bead,
  workspace_id: a.workspace_id,
  alias: a.alias,
  human_name: a.alias[0].toUpperCase() + a.alias.slice(1),
  claimed_at: expect.stringMatching(ISO),
  claimant_count: count,
  title,
  project_id: a.project_id,
});

const agentOf = (a: Agent, currentIssue: string | null, role: string | null = null) => ({
  workspace_id: a.workspace_id,
  alias: a.alias,
  member: `${a.alias}@example.com`,
  program: "claude-code",
  role,
  status: "active",
  current_issue: currentIssue,
  last_seen: expect.stringMatching(ISO),
});

const publicReader = (a: Agent) => publicReaderHeaders(SECRET, a.project_id, a.agent_id);

describe("GET /v1/status", () => {
  test("project-wide: live workspaces, their presence, claims, conflicts, pending escalations", async () => {
    const res = await t.request("GET", "/v1/status", { token: alice.api_key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      workspace: { project_id: alice.project_id, project_slug: "status", workspace_count: 3 },
      // workspace set order (updated_at desc); carol has no presence, gone is deleted
      agents: [agentOf(bob, "bd-1"), agentOf(alice, "bd-1", "developer")],
      claims: [
        claimOf(carol, "bd-3", 1, null),
        claimOf(alice, "bd-1", 2, "Fix the login"),
        claimOf(bob, "bd-1", 2, "Fix the login"),
        claimOf(alice, "bd-2", 1, null),
      ],
      conflicts: [
        {
          bead_id: "bd-1",
          claimants: [
            { alias: "alice", human_name: "Alice", workspace_id: alice.workspace_id },
            { alias: "bob", human_name: "Bob", workspace_id: bob.workspace_id },
          ],
        },
      ],
      // alice's live one; the expired and the responded ones are not pending
      escalations_pending: 1,
      timestamp: expect.stringMatching(ISO),
    });
  });

  test("workspace_id: that workspace only; claimant_count still counts the whole project", async () => {
    const res = await t.request("GET", `/v1/status?workspace_id=${alice.workspace_id!.toUpperCase()}`, { token: alice.api_key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      workspace: { workspace_id: alice.workspace_id, project_id: alice.project_id, project_slug: "status" },
      agents: [agentOf(alice, "bd-1", "developer")],
      claims: [claimOf(alice, "bd-1", 2, "Fix the login"), claimOf(alice, "bd-2", 1, null)],
      conflicts: [{ bead_id: "bd-1", claimants: [{ alias: "alice", human_name: "Alice", workspace_id: alice.workspace_id }] }],
      escalations_pending: 1,
      timestamp: expect.stringMatching(ISO),
    });
  });

  test("repo_id: that repo's live workspaces", async () => {
    const res = await t.request("GET", `/v1/status?repo_id=${alice.repo_id}`, { token: bob.api_key });
    expect(res.status).toBe(200);
    expect(res.body.workspace).toEqual({
      repo_id: alice.repo_id,
      workspace_count: 2,
      project_id: alice.project_id,
      project_slug: "status",
    });
    expect(res.body.agents).toEqual([agentOf(alice, "bd-1", "developer")]);
    expect(res.body.claims).toEqual([
      claimOf(carol, "bd-3", 1, null),
      claimOf(alice, "bd-1", 2, "Fix the login"),
      claimOf(alice, "bd-2", 1, null),
    ]);
    expect(res.body.conflicts).toEqual([
      { bead_id: "bd-1", claimants: [{ alias: "alice", human_name: "Alice", workspace_id: alice.workspace_id }] },
    ]);
  });

  test("a repo id of another project, or unknown, gives an empty set and no claims (§19.14)", async () => {
    for (const repoId of [olga.repo_id, "00000000-0000-4000-8000-000000000000"]) {
      const res = await t.request("GET", `/v1/status?repo_id=${repoId}`, { token: alice.api_key });
      expect(res.status).toBe(200);
      expect(res.body.workspace.workspace_count).toBe(0);
      expect(res.body.agents).toEqual([]);
      expect(res.body.claims).toEqual([]);
      expect(res.body.conflicts).toEqual([]);
    }
  });

  test("bdh's extra `repo` query parameter is ignored", async () => {
    const res = await t.request("GET", "/v1/status?repo=github.com/acme/app", { token: alice.api_key });
    expect(res.status).toBe(200);
    expect(res.body.workspace.workspace_count).toBe(3);
  });

  test("public reader: no human names, no member emails, no escalation count", async () => {
    const res = await t.request("GET", "/v1/status", { headers: publicReader(alice) });
    expect(res.status).toBe(200);
    expect(res.body.escalations_pending).toBe(0);
    expect(res.body.agents.map((a: any) => a.member)).toEqual([null, null]);
    expect(res.body.claims.map((c: any) => c.human_name)).toEqual(["", "", "", ""]);
    expect(res.body.conflicts[0].claimants.map((c: any) => c.human_name)).toEqual(["", ""]);
    // everything else is unchanged
    expect(res.body.claims.map((c: any) => c.alias)).toEqual(["carol", "alice", "bob", "alice"]);
    expect(res.body.agents.map((a: any) => a.program)).toEqual(["claude-code", "claude-code"]);
  });

  test("another project sees only its own workspaces, claims and escalations", async () => {
    const res = await t.request("GET", "/v1/status", { token: olga.api_key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      workspace: { project_id: olga.project_id, project_slug: "status-other", workspace_count: 1 },
      agents: [agentOf(olga, "bd-1")],
      claims: [{ ...claimOf(olga, "bd-1", 1, null) }],
      conflicts: [],
      escalations_pending: 1,
      timestamp: expect.stringMatching(ISO),
    });
    // and cannot point at a workspace of this project
    const other = await t.request("GET", `/v1/status?workspace_id=${alice.workspace_id}`, { token: olga.api_key });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ detail: "Workspace not found" });
  });

  test("errors: query validation (422), unknown or deleted workspace (404), no auth (401)", async () => {
    const cases: [string, number, unknown][] = [
      ["/v1/status?workspace_id=", 422, [expect.objectContaining({ type: "string_too_short", loc: ["query", "workspace_id"] })]],
      ["/v1/status?workspace_id=nope", 422, "Invalid workspace_id format"],
      ["/v1/status?workspace_id=%20", 422, "workspace_id cannot be empty"],
      ["/v1/status?repo_id=short", 422, [expect.objectContaining({ type: "string_too_short", loc: ["query", "repo_id"] })]],
      ["/v1/status?repo_id=" + "x".repeat(37), 422, [expect.objectContaining({ type: "string_too_long", loc: ["query", "repo_id"] })]],
      ["/v1/status?repo_id=" + "z".repeat(36), 422, "Invalid repo_id format: expected UUID"],
      ["/v1/status?workspace_id=00000000-0000-4000-8000-000000000000", 404, "Workspace not found"],
      [`/v1/status?workspace_id=${gone.workspace_id}`, 404, "Workspace not found"],
    ];
    for (const [path, status, detail] of cases) {
      const res = await t.request("GET", path, { token: alice.api_key });
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.body).toEqual({ detail });
    }
    const anon = await t.request("GET", "/v1/status");
    expect(anon.status).toBe(401);
    expect(anon.body).toEqual({ detail: "Authentication required" });
  });

  test("a project without a server project row (init without a repo) is a 500 with the reference detail", async () => {
    const res = await t.request("GET", "/v1/status", { token: noRepo.api_key });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ detail: "Authenticated project not found" });
  });

  test("nothing is cached in process: a new workspace shows up at once", async () => {
    const before = await t.request("GET", "/v1/status", { token: alice.api_key });
    const dave = await initAgent(t, { project_slug: "status", alias: "dave", human_name: "Dave", repo_origin: APP });
    const after = await t.request("GET", "/v1/status", { token: alice.api_key });
    expect(after.body.workspace.workspace_count).toBe(before.body.workspace.workspace_count + 1);
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${dave.workspace_id}`;
    const again = await t.request("GET", "/v1/status", { token: alice.api_key });
    expect(again.body.workspace.workspace_count).toBe(before.body.workspace.workspace_count);
  });
});
