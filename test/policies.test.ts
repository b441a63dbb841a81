// /v1/policies (docs/protocol/policies.md).
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { proxyHeaders as signedHeaders } from "./support/proxy";
import { initAgent, startTestApp, type Agent } from "./support/harness";

const SECRET = "policy-test-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const ROLE_ORDER = ["backend", "frontend", "reviewer", "developer", "coordinator"]; // jsonb key order
const Z_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let slugN = 0;
const fresh = (fields: Parameters<typeof initAgent>[1] = {}) => initAgent(t, { project_slug: `pol-${++slugN}`, ...fields });

const proxyHeaders = (projectId: string, actorId: string, type = "k") => signedHeaders(SECRET, projectId, actorId, { type });

async function expectedEtag(policyId: string): Promise<string> {
  const [row] = await t.sql<{ updated_at: string }[]>`
    select updated_at from server.project_policies where policy_id = ${policyId}`;
  return `"${createHash("sha256").update(`${policyId}:${row.updated_at}`).digest("hex").slice(0, 16)}"`;
}

async function audit(projectId: string, eventType: string) {
  const rows = await t.sql<{ workspace_id: string | null; details: Record<string, unknown> }[]>`
    select workspace_id, details from server.audit_log
    where project_id = ${projectId} and event_type = ${eventType} order by created_at`;
  return [...rows];
}

const activeOf = async (a: Agent) => (await t.request("GET", "/v1/policies/active", { token: a.api_key })).body;
const bundle = (id: string) => ({ invariants: [{ id, title: id.toUpperCase(), body_md: "b" }], roles: {}, adapters: {} });

describe("GET /v1/policies/active", () => {
  test("bootstraps and activates the default bundle, with an ETag", async () => {
    const a = await fresh();
    const r = await t.request("GET", "/v1/policies/active", { token: a.api_key });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual([
      "policy_id", "project_id", "version", "updated_at", "invariants", "roles", "selected_role", "adapters",
    ]);
    expect(r.body.policy_id).toMatch(UUID);
    expect(r.body.project_id).toBe(a.project_id);
    expect(r.body.version).toBe(1);
    expect(r.body.updated_at).toMatch(Z_TIME);
    expect(r.body.invariants.map((i: { id: string }) => i.id)).toEqual([
      "tracking.bdh-only", "communication.mail-first", "communication.chat", "identity.no-impersonation", "teamwork.collaborate",
    ]);
    expect(Object.keys(r.body.invariants[0])).toEqual(["id", "title", "body_md"]);
    expect(Object.keys(r.body.roles)).toEqual(ROLE_ORDER);
    expect(r.body.roles.backend.title).toBe("Backend Expert");
    expect(Object.keys(r.body.roles.backend)).toEqual(["title", "playbook_md"]);
    expect(r.body.selected_role).toBeNull();
    expect(r.body.adapters).toEqual({});
    expect(r.headers.get("etag")).toBe(await expectedEtag(r.body.policy_id));
    expect(r.headers.get("last-modified")).toBeNull();
    const [p] = await t.sql`select active_policy_id from server.projects where id = ${a.project_id}`;
    expect(p.active_policy_id).toBe(r.body.policy_id);

    const again = await t.request("GET", "/v1/policies/active", { token: a.api_key });
    expect(again.body.policy_id).toBe(r.body.policy_id);
    expect(again.headers.get("etag")).toBe(r.headers.get("etag"));
  });

  test("bdh's request: only_selected=true&role=<r> returns just that role", async () => {
    const a = await fresh();
    const r = await t.request("GET", "/v1/policies/active?only_selected=true&role=developer&unknown=1", { token: a.api_key });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.roles)).toEqual(["developer"]);
    expect(r.body.selected_role).toEqual({ role: "developer", title: "Developer", playbook_md: r.body.roles.developer.playbook_md });
    expect(r.body.invariants).toHaveLength(5);

    const all = await t.request("GET", "/v1/policies/active?only_selected=false&role=reviewer", { token: a.api_key });
    expect(Object.keys(all.body.roles)).toEqual(ROLE_ORDER);
    expect(all.body.selected_role.role).toBe("reviewer");
  });

  test("If-None-Match: exact match → 304 with empty body, checked before the role", async () => {
    const a = await fresh();
    const first = await t.request("GET", "/v1/policies/active", { token: a.api_key });
    const etag = first.headers.get("etag")!;
    for (const q of ["?only_selected=true&role=developer", "?role=no-such-role", "?only_selected=true"]) {
      const r = await t.request("GET", "/v1/policies/active" + q, { token: a.api_key, headers: { "if-none-match": etag } });
      expect(r.status).toBe(304);
      expect(r.text).toBe("");
      expect(r.headers.get("etag")).toBe(etag);
    }
    for (const other of [`W/${etag}`, etag.slice(1, -1), `"0000000000000000"`, `${etag}, "x"`]) {
      const r = await t.request("GET", "/v1/policies/active", { token: a.api_key, headers: { "if-none-match": other } });
      expect(r.status).toBe(200);
    }
    // If-Modified-Since is ignored.
    const ims = await t.request("GET", "/v1/policies/active", {
      token: a.api_key, headers: { "if-modified-since": "Wed, 21 Oct 2099 07:28:00 GMT" },
    });
    expect(ims.status).toBe(200);
  });

  test("role errors are 400s; a bad only_selected is 422", async () => {
    const a = await fresh();
    const bad = await t.request("GET", "/v1/policies/active?role=Developer", { token: a.api_key });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      detail: "Role 'Developer' not found. Available roles: ['backend', 'frontend', 'reviewer', 'developer', 'coordinator']",
    });
    const noRole = await t.request("GET", "/v1/policies/active?only_selected=true", { token: a.api_key });
    expect(noRole.status).toBe(400);
    expect(noRole.body).toEqual({ detail: "only_selected=true requires a role parameter" });
    const emptyRole = await t.request("GET", "/v1/policies/active?only_selected=1&role=", { token: a.api_key });
    expect(emptyRole.status).toBe(400);
    expect(emptyRole.body.detail).toBe("only_selected=true requires a role parameter");
    const flag = await t.request("GET", "/v1/policies/active?only_selected=maybe", { token: a.api_key });
    expect(flag.status).toBe(422);
    expect(flag.body.detail[0].loc).toEqual(["query", "only_selected"]);
  });

  test("no server.projects row → 404 Project not found; no auth → 401", async () => {
    const a = await fresh({ repo_origin: null });
    for (const path of ["/v1/policies/active", "/v1/policies/history"]) {
      const r = await t.request("GET", path, { token: a.api_key });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ detail: "Project not found" });
    }
    const reset = await t.request("POST", "/v1/policies/reset", { token: a.api_key, raw: "null", headers: { "content-type": "application/json" } });
    expect(reset.status).toBe(404);
    const create = await t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle("x") } });
    expect(create.status).toBe(404);
    expect(create.body).toEqual({ detail: "Project not found" });
    const anon = await t.request("GET", "/v1/policies/active");
    expect(anon.status).toBe(401);
    expect(anon.body).toEqual({ detail: "Authentication required" });
  });

  test("two concurrent first reads bootstrap one policy", async () => {
    const a = await fresh();
    const replies = await Promise.all(Array.from({ length: 5 }, () => t.request("GET", "/v1/policies/active", { token: a.api_key })));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(replies.map((r) => r.body.policy_id)).size).toBe(1);
    const [{ n }] = await t.sql`select count(*)::int as n from server.project_policies where project_id = ${a.project_id}`;
    expect(n).toBe(1);
  });

  test("each project sees only its own policy", async () => {
    const a = await fresh();
    const b = await fresh();
    const pa = await activeOf(a);
    const pb = await activeOf(b);
    expect(pa.policy_id).not.toBe(pb.policy_id);
    expect(pb.project_id).toBe(b.project_id);
    expect(pb.version).toBe(1);
  });
});

describe("GET /v1/policies/history", () => {
  test("bootstraps, lists newest first with Z timestamps, marks the active one", async () => {
    const a = await fresh();
    const r = await t.request("GET", "/v1/policies/history", { token: a.api_key });
    expect(r.status).toBe(200);
    expect(r.body.policies).toHaveLength(1);
    const [v1] = r.body.policies;
    expect(Object.keys(v1)).toEqual(["policy_id", "version", "created_at", "created_by_workspace_id", "is_active"]);
    expect(v1).toMatchObject({ version: 1, created_by_workspace_id: null, is_active: true });
    expect(v1.created_at).toMatch(Z_TIME);

    await t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle("two") } });
    await t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle("three") } });
    const all = await t.request("GET", "/v1/policies/history", { token: a.api_key });
    expect(all.body.policies.map((p: { version: number }) => p.version)).toEqual([3, 2, 1]);
    expect(all.body.policies.map((p: { is_active: boolean }) => p.is_active)).toEqual([false, false, true]);
    expect(all.body.policies[0].created_by_workspace_id).toBe(a.workspace_id);

    const one = await t.request("GET", "/v1/policies/history?limit=1", { token: a.api_key });
    expect(one.body.policies.map((p: { version: number }) => p.version)).toEqual([3]);
    const max = await t.request("GET", "/v1/policies/history?limit=100", { token: a.api_key });
    expect(max.body.policies).toHaveLength(3);

    // Another project's history is separate.
    const other = await fresh();
    const theirs = await t.request("GET", "/v1/policies/history", { token: other.api_key });
    expect(theirs.body.policies).toHaveLength(1);
    expect(theirs.body.policies[0].policy_id).not.toBe(v1.policy_id);
  });

  test("limit outside 1..100 or not an integer → 422", async () => {
    const a = await fresh();
    for (const limit of ["0", "101", "abc", "-1"]) {
      const r = await t.request("GET", `/v1/policies/history?limit=${limit}`, { token: a.api_key });
      expect(r.status).toBe(422);
      expect(r.body.detail[0].loc).toEqual(["query", "limit"]);
    }
  });
});

describe("POST /v1/policies", () => {
  test("creates the next version, not activated, with an audit row", async () => {
    const a = await fresh();
    const v1 = await activeOf(a);
    const r = await t.request("POST", "/v1/policies", {
      token: a.api_key,
      body: { bundle: { invariants: [{ id: "x", title: "X", body_md: "m", extra: 1 }], roles: { dev: { title: "Dev" } }, extra: 1 }, ignored: true },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ policy_id: expect.stringMatching(UUID), project_id: a.project_id, version: 2, created: true });
    expect((await activeOf(a)).policy_id).toBe(v1.policy_id);

    const [row] = await t.sql`select bundle_json, created_by_workspace_id from server.project_policies where policy_id = ${r.body.policy_id}`;
    expect(row.bundle_json).toEqual({ invariants: [{ id: "x", title: "X", body_md: "m", extra: 1 }], roles: { dev: { title: "Dev" } }, adapters: {} });
    expect(row.created_by_workspace_id).toBe(a.workspace_id);
    const rows = await audit(a.project_id, "policy_created");
    expect(rows).toHaveLength(1);
    expect(rows[0].workspace_id).toBe(a.workspace_id);
    expect(rows[0].details).toEqual({ project_id: a.project_id, policy_id: r.body.policy_id, version: 2, base_policy_id: null });

    // The stored bundle is served with defaults for missing fields.
    const got = await t.request("GET", `/v1/policies/${r.body.policy_id}`, { token: a.api_key });
    expect(got.body.roles).toEqual({ dev: { title: "Dev", playbook_md: "" } });
    expect(got.body.invariants).toEqual([{ id: "x", title: "X", body_md: "m" }]);
  });

  test("base_policy_id: matching → 200, stale → 409, none active → 409 naming none, malformed → 422", async () => {
    const a = await fresh();
    const v1 = await activeOf(a);
    const ok = await t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle("a"), base_policy_id: v1.policy_id } });
    expect(ok.status).toBe(200);
    await t.request("POST", `/v1/policies/${ok.body.policy_id}/activate`, { token: a.api_key });
    const stale = await t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle("b"), base_policy_id: v1.policy_id } });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({
      detail: `Policy conflict: base_policy_id ${v1.policy_id} does not match active policy ${ok.body.policy_id}. ` +
        "Another agent may have updated the policy. Re-read the active policy and retry.",
    });

    const b = await fresh(); // has a project row but no active policy yet
    const none = await t.request("POST", "/v1/policies", { token: b.api_key, body: { bundle: bundle("c"), base_policy_id: v1.policy_id } });
    expect(none.status).toBe(409);
    expect(none.body.detail).toContain("does not match active policy none.");

    const bad = await t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle("d"), base_policy_id: "nope" } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(["body", "base_policy_id"]);
    const [{ n }] = await t.sql`select count(*)::int as n from server.project_policies where project_id = ${a.project_id}`;
    expect(n).toBe(2);
  });

  test("a first POST in a fresh project gets v1 un-activated; /active then bootstraps v2", async () => {
    const a = await fresh();
    const r = await t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: {} } });
    expect(r.body.version).toBe(1);
    const active = await activeOf(a);
    expect(active.version).toBe(2);
  });

  test("role keys are data, even \"__proto__\"", async () => {
    const a = await fresh();
    const r = await t.request("POST", "/v1/policies", {
      token: a.api_key,
      raw: '{"bundle":{"roles":{"__proto__":{"title":"Proto","playbook_md":"p"},"x":{"title":"X"}}}}',
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(200);
    await t.request("POST", `/v1/policies/${r.body.policy_id}/activate`, { token: a.api_key });
    const got = await t.request("GET", "/v1/policies/active?role=__proto__&only_selected=true", { token: a.api_key });
    expect(got.status).toBe(200);
    expect(got.text).toContain('"roles":{"__proto__":{"title":"Proto","playbook_md":"p"}}');
    expect(got.body.selected_role).toEqual({ role: "__proto__", title: "Proto", playbook_md: "p" });
    const miss = await t.request("GET", "/v1/policies/active?role=constructor", { token: a.api_key });
    expect(miss.status).toBe(400);
    expect(miss.body.detail).toBe("Role 'constructor' not found. Available roles: ['x', '__proto__']");
  });

  test("bundle shape errors → 422", async () => {
    const a = await fresh();
    const cases: [unknown, (string | number)[]][] = [
      [{}, ["body", "bundle"]],
      [{ bundle: null }, ["body", "bundle"]],
      [{ bundle: { invariants: {} } }, ["body", "bundle", "invariants"]],
      [{ bundle: { invariants: ["x"] } }, ["body", "bundle", "invariants", 0]],
      [{ bundle: { invariants: [{ id: 5 }] } }, ["body", "bundle", "invariants", 0, "id"]],
      [{ bundle: { roles: [] } }, ["body", "bundle", "roles"]],
      [{ bundle: { roles: { dev: "x" } } }, ["body", "bundle", "roles", "dev"]],
      [{ bundle: { adapters: [] } }, ["body", "bundle", "adapters"]],
    ];
    for (const [body, loc] of cases) {
      const r = await t.request("POST", "/v1/policies", { token: a.api_key, body });
      expect(r.status).toBe(422);
      expect(r.body.detail[0].loc).toEqual(loc);
    }
    const notJson = await t.request("POST", "/v1/policies", { token: a.api_key, raw: "{", headers: { "content-type": "application/json" } });
    expect(notJson.status).toBe(422);
  });

  test("created_by_workspace_id: format 422, binding 403, live workspace 403", async () => {
    const a = await fresh();
    const mate = await initAgent(t, { project_slug: a.project_slug });
    const send = (created_by_workspace_id: unknown, headers?: Record<string, string>) =>
      t.request("POST", "/v1/policies", {
        token: headers ? undefined : a.api_key,
        headers,
        body: { bundle: bundle("w"), created_by_workspace_id },
      });

    const bad = await send("not-a-uuid");
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({ detail: "Invalid workspace_id format" });
    const blank = await send("   ");
    expect(blank.status).toBe(422);
    expect(blank.body).toEqual({ detail: "workspace_id cannot be empty" });

    const other = await send(mate.workspace_id);
    expect(other.status).toBe(403);
    expect(other.body).toEqual({ detail: "created_by_workspace_id does not match API key identity" });

    const own = await send(a.workspace_id!.toUpperCase());
    expect(own.status).toBe(200);
    const [row] = await t.sql`select created_by_workspace_id from server.project_policies where policy_id = ${own.body.policy_id}`;
    expect(row.created_by_workspace_id).toBe(a.workspace_id);

    // Proxy mode skips binding, but the workspace must still be live in the project.
    const proxy = proxyHeaders(a.project_id, a.agent_id);
    expect((await send(mate.workspace_id, proxy)).status).toBe(200);
    const stranger = await fresh();
    const foreign = await send(stranger.workspace_id, proxy);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({ detail: "Workspace not found or does not belong to your project" });
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${mate.workspace_id}`;
    const dead = await send(mate.workspace_id, proxy);
    expect(dead.status).toBe(403);
    expect(dead.body.detail).toBe("Workspace not found or does not belong to your project");
  });

  test("the default creator is null for an agent without a workspace; public readers cannot write", async () => {
    const a = await fresh();
    const repoless = await initAgent(t, { project_slug: a.project_slug, repo_origin: null });
    const r = await t.request("POST", "/v1/policies", { token: repoless.api_key, body: { bundle: bundle("r") } });
    expect(r.status).toBe(200);
    const [row] = await t.sql`select created_by_workspace_id from server.project_policies where policy_id = ${r.body.policy_id}`;
    expect(row.created_by_workspace_id).toBeNull();

    const reader = proxyHeaders(a.project_id, a.agent_id, "p");
    const read = await t.request("GET", "/v1/policies/active", { headers: reader });
    expect(read.status).toBe(200);
    for (const [method, path] of [["POST", "/v1/policies"], ["POST", "/v1/policies/reset"], ["POST", `/v1/policies/${read.body.policy_id}/activate`]]) {
      const w = await t.request(method, path, { headers: reader, body: { bundle: bundle("p") } });
      expect(w.status).toBe(401);
    }
  });

  test("20 concurrent creates on one base: exactly one wins, 19 get 409 (docs/decisions.md)", async () => {
    const a = await fresh();
    const v1 = await activeOf(a);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle(`c${i}`), base_policy_id: v1.policy_id } }),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(19).fill(409)]);
    const winner = replies.find((r) => r.status === 200)!;
    expect(winner.body.version).toBe(2);
    for (const r of replies.filter((r) => r.status === 409)) expect(r.body.detail).toStartWith("Policy conflict: base_policy_id");
    const [{ n }] = await t.sql`select count(*)::int as n from server.project_policies where project_id = ${a.project_id}`;
    expect(n).toBe(2);
  });

  test("20 concurrent creates without a base: 20 distinct consecutive versions", async () => {
    const a = await fresh();
    await activeOf(a);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle(`n${i}`) } })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    const versions = replies.map((r) => r.body.version).sort((x: number, y: number) => x - y);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
  });

  test("20 concurrent creates on a stale base: all 409, nothing written", async () => {
    const a = await fresh();
    const v1 = await activeOf(a);
    const first = await t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle("w"), base_policy_id: v1.policy_id } });
    await t.request("POST", `/v1/policies/${first.body.policy_id}/activate`, { token: a.api_key });
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle(`s${i}`), base_policy_id: v1.policy_id } }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(409));
    const [{ n }] = await t.sql`select count(*)::int as n from server.project_policies where project_id = ${a.project_id}`;
    expect(n).toBe(2);
  });
});

describe("GET /v1/policies/{id}", () => {
  test("returns the version in the /active shape, selected_role null, no cross-project reads", async () => {
    const a = await fresh();
    const v1 = await activeOf(a);
    const r = await t.request("GET", `/v1/policies/${v1.policy_id}`, { token: a.api_key });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ...v1, selected_role: null });

    const b = await fresh();
    for (const id of [v1.policy_id, crypto.randomUUID(), "not-a-uuid", "1"]) {
      const miss = await t.request("GET", `/v1/policies/${id}`, { token: b.api_key });
      expect(miss.status).toBe(404);
      expect(miss.body).toEqual({ detail: "Policy not found or does not belong to this project" });
    }
  });
});

describe("POST /v1/policies/{id}/activate", () => {
  test("activates, writes audit, changes the ETag; unknown 404, other project 400", async () => {
    const a = await fresh();
    const first = await t.request("GET", "/v1/policies/active", { token: a.api_key });
    const created = await t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle("n") } });
    const r = await t.request("POST", `/v1/policies/${created.body.policy_id}/activate`, {
      token: a.api_key, raw: "not json", headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ activated: true, active_policy_id: created.body.policy_id });
    const now = await t.request("GET", "/v1/policies/active", { token: a.api_key, headers: { "if-none-match": first.headers.get("etag")! } });
    expect(now.status).toBe(200);
    expect(now.body.policy_id).toBe(created.body.policy_id);
    expect(now.body.invariants).toEqual([{ id: "n", title: "N", body_md: "b" }]);
    const rows = await audit(a.project_id, "policy_activated");
    expect(rows).toEqual([{
      workspace_id: null,
      details: { project_id: a.project_id, policy_id: created.body.policy_id, previous_policy_id: first.body.policy_id },
    }]);

    for (const id of [crypto.randomUUID(), "garbage"]) {
      const miss = await t.request("POST", `/v1/policies/${id}/activate`, { token: a.api_key });
      expect(miss.status).toBe(404);
      expect(miss.body).toEqual({ detail: "Policy not found" });
    }
    const b = await fresh();
    const foreign = await t.request("POST", `/v1/policies/${created.body.policy_id}/activate`, { token: b.api_key });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toEqual({ detail: "Policy does not belong to this project" });
    expect((await activeOf(a)).policy_id).toBe(created.body.policy_id);
  });
});

describe("POST /v1/policies/reset", () => {
  test("bdh's body `null`: new default version, activated, audited", async () => {
    const a = await fresh();
    const v1 = await activeOf(a);
    const custom = await t.request("POST", "/v1/policies", { token: a.api_key, body: { bundle: bundle("c") } });
    await t.request("POST", `/v1/policies/${custom.body.policy_id}/activate`, { token: a.api_key });

    const r = await t.request("POST", "/v1/policies/reset", {
      token: a.api_key, raw: "null", headers: { "content-type": "application/json", accept: "application/json" },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ reset: true, active_policy_id: expect.stringMatching(UUID), version: 3 });
    const active = await activeOf(a);
    expect(active.policy_id).toBe(r.body.active_policy_id);
    expect(active.invariants).toEqual(v1.invariants);
    expect(active.roles).toEqual(v1.roles);
    const rows = await audit(a.project_id, "policy_reset_to_default");
    expect(rows).toEqual([{
      workspace_id: null,
      details: { project_id: a.project_id, policy_id: r.body.active_policy_id, version: 3, previous_policy_id: custom.body.policy_id },
    }]);

    const noBody = await t.request("POST", "/v1/policies/reset", { token: a.api_key });
    expect(noBody.status).toBe(200);
    expect(noBody.body.version).toBe(4);
  });

  test("on a project without an active policy: version 1, previous null; concurrent resets all succeed", async () => {
    const a = await fresh();
    const r = await t.request("POST", "/v1/policies/reset", { token: a.api_key, raw: "null", headers: { "content-type": "application/json" } });
    expect(r.body.version).toBe(1);
    const [row] = await audit(a.project_id, "policy_reset_to_default");
    expect(row.details.previous_policy_id).toBeNull();
    const many = await Promise.all(Array.from({ length: 5 }, () => t.request("POST", "/v1/policies/reset", { token: a.api_key })));
    expect(many.map((m) => m.status)).toEqual([200, 200, 200, 200, 200]);
    expect(many.map((m) => m.body.version).sort()).toEqual([2, 3, 4, 5, 6]);
  });
});
