// Issue 19: deleted agents and projects stop acting; signed proxy headers
// naming a project that does not exist write nothing (defect 10).
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp } from "./support/harness";
import { proxyHeaders } from "./support/proxy";
import { REPO, jsonl } from "./support/bdh";

const SECRET = "harden-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const gone = await initAgent(t, { project_slug: "deleted-agent", alias: "gone" });
const peer = await initAgent(t, { project_slug: "deleted-agent", alias: "peer" });
await t.sql`update aweb.agents set deleted_at = now() where agent_id = ${gone.agent_id}`;

const doomed = await initAgent(t, { project_slug: "deleted-project", alias: "doomed" });
const doomedPeer = await initAgent(t, { project_slug: "deleted-project", alias: "doomed-peer" });
await t.sql`update aweb.projects set deleted_at = now() where project_id = ${doomed.project_id}`;

const syncBody = (a: typeof gone) => ({
  workspace_id: a.workspace_id,
  alias: a.alias,
  human_name: "Tester",
  repo_origin: "git@github.com:acme/app.git",
  sync_mode: "full",
  issues_jsonl: jsonl([{ id: "del-1", status: "open" }]),
});

describe("a soft-deleted agent's key", () => {
  test("still reads", async () => {
    const res = await t.request("GET", "/v1/workspaces", { token: gone.api_key });
    expect(res.status).toBe(200);
    expect(res.body.workspaces.map((w: { alias: string }) => w.alias)).toContain("gone");
  });

  const writes: [string, string, unknown][] = [
    ["POST", "/v1/bdh/sync", syncBody(gone)],
    ["POST", "/v1/beads/upload", { repo: REPO, issues: [{ id: "del-2", status: "open" }] }],
    ["POST", "/v1/workspaces/heartbeat", { workspace_id: gone.workspace_id, alias: "gone", repo_origin: "git@github.com:acme/app.git" }],
    ["POST", "/v1/escalations", { workspace_id: gone.workspace_id, alias: "gone", subject: "s", situation: "x" }],
    ["POST", "/v1/policies/reset", undefined],
    ["DELETE", `/v1/workspaces/${peer.workspace_id}`, undefined],
  ];
  for (const [method, path, body] of writes) {
    test(`cannot write: ${method} ${path} → 404 Agent not found, nothing changed`, async () => {
      const res = await t.request(method, path, { token: gone.api_key, body });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: "Agent not found" });
    });
  }

  test("cannot send mail (the aweb actor rule) and nothing was stored by the writes above", async () => {
    const res = await t.request("POST", "/v1/messages", { token: gone.api_key, body: { to_alias: "peer", subject: "s", body: "b" } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "Agent not found" });
    const issues = await t.sql`select 1 from beads.beads_issues where project_id = ${gone.project_id}`;
    expect(issues.length).toBe(0);
    const [ws] = await t.sql`select deleted_at from server.workspaces where workspace_id = ${peer.workspace_id}`;
    expect(ws.deleted_at).toBeNull();
  });

  test("may restore its own workspace (and only its own)", async () => {
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${gone.workspace_id}`;
    const other = await t.request("POST", `/v1/workspaces/${peer.workspace_id}/restore`, { token: gone.api_key });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ detail: "Agent not found" });
    const own = await t.request("POST", `/v1/workspaces/${gone.workspace_id}/restore`, { token: gone.api_key });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ workspace_id: gone.workspace_id, alias: "gone" });
  });

  test("the live peer is unaffected", async () => {
    const res = await t.request("POST", "/v1/bdh/sync", { token: peer.api_key, body: syncBody(peer) });
    expect(res.status).toBe(200);
  });
});

describe("a soft-deleted project's keys", () => {
  test("still read", async () => {
    const res = await t.request("GET", "/v1/workspaces", { token: doomed.api_key });
    expect(res.status).toBe(200);
  });

  for (const [method, path, body] of [
    ["POST", "/v1/messages", { to_alias: "doomed-peer", subject: "s", body: "b" }],
    ["POST", "/v1/bdh/sync", syncBody(doomed)],
    ["POST", "/v1/reservations", { resource_key: "k" }],
  ] as [string, string, unknown][]) {
    test(`cannot write: ${method} ${path} → 404 Project not found`, async () => {
      const res = await t.request(method, path, { token: doomed.api_key, body });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: "Project not found" });
    });
  }

  test("no mail was stored", async () => {
    const rows = await t.sql`select 1 from aweb.messages where project_id = ${doomedPeer.project_id}`;
    expect(rows.length).toBe(0);
  });
});

describe("signed proxy headers naming a project that does not exist (defect 10)", () => {
  test("uploads answer 404 and store nothing", async () => {
    const ghost = crypto.randomUUID();
    const headers = proxyHeaders(SECRET, ghost, crypto.randomUUID());
    const a = await t.request("POST", "/v1/beads/upload", { headers, body: { repo: REPO, issues: [{ id: "orphan-1", status: "open" }] } });
    const b = await t.request("POST", `/v1/beads/upload-jsonl?repo=${REPO}`, {
      headers: { ...headers, "content-type": "text/plain" },
      raw: jsonl([{ id: "orphan-2", status: "open" }]),
    });
    for (const res of [a, b]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: "Project not found" });
    }
    const rows = await t.sql`select 1 from beads.beads_issues where project_id = ${ghost}`;
    expect(rows.length).toBe(0);
  });

  test("a live project through the proxy still works", async () => {
    const headers = proxyHeaders(SECRET, peer.project_id, peer.agent_id);
    const res = await t.request("POST", "/v1/beads/upload", { headers, body: { repo: REPO, issues: [{ id: "px-1", status: "open" }] } });
    expect(res.status).toBe(200);
  });
});

describe("reads never write for a caller who may not write", () => {
  test("a public reader's first GET /v1/policies/active answers the default and stores nothing", async () => {
    const fresh = await initAgent(t, { project_slug: "reader-policy", alias: "owner" });
    const reader = proxyHeaders(SECRET, fresh.project_id, fresh.agent_id, { type: "p" });
    const policies = () => t.sql`select 1 from server.project_policies where project_id = ${fresh.project_id}`;
    expect((await policies()).length).toBe(0);
    const read = await t.request("GET", "/v1/policies/active", { headers: reader });
    expect(read.status).toBe(200);
    expect(read.body.invariants.length).toBeGreaterThan(0);
    expect(read.headers.get("etag")).toMatch(/^"[0-9a-f]{16}"$/);
    const history = await t.request("GET", "/v1/policies/history", { headers: reader });
    expect(history.status).toBe(200);
    expect(history.body).toEqual({ policies: [] });
    expect((await policies()).length).toBe(0);
    // a writer's first read still bootstraps the default, as bdh expects
    const mine = await t.request("GET", "/v1/policies/active", { token: fresh.api_key });
    expect(mine.status).toBe(200);
    expect(mine.body.version).toBe(1);
    expect((await policies()).length).toBe(1);
  });
});

describe("proxy header replay: the optional v3 format", () => {
  const { signProxyMessage } = require("../src/auth/proxy") as typeof import("../src/auth/proxy");
  /** v3 as a wrapper would send it: timestamp in the header, method and path only in the signed message. */
  function v3(projectId: string, actorId: string, method: string, path: string, ts = Math.floor(Date.now() / 1000)) {
    const principal = crypto.randomUUID();
    const head = `v3:${projectId}:k:${principal}:${actorId}:${ts}`;
    return {
      "x-bh-auth": `${head}:${signProxyMessage(SECRET, `${head}:${method}:${path}`)}`,
      "x-project-id": projectId,
      "x-aweb-actor-id": actorId,
      "x-api-key": principal,
    };
  }

  test("a fresh v3 value works for the method and path it was signed for", async () => {
    const res = await t.request("GET", "/v1/workspaces", { headers: v3(peer.project_id, peer.agent_id, "GET", "/v1/workspaces") });
    expect(res.status).toBe(200);
  });

  test("replayed on another route or method, or outside the window: 401", async () => {
    const forList = v3(peer.project_id, peer.agent_id, "GET", "/v1/workspaces");
    const other = await t.request("GET", "/v1/agents", { headers: forList });
    // signed for a POST, sent as a GET of the same path
    const method = await t.request("GET", "/v1/workspaces", { headers: v3(peer.project_id, peer.agent_id, "POST", "/v1/workspaces") });
    const old = await t.request("GET", "/v1/workspaces", {
      headers: v3(peer.project_id, peer.agent_id, "GET", "/v1/workspaces", Math.floor(Date.now() / 1000) - 600),
    });
    for (const res of [other, method, old]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: "Authentication required" });
    }
  });

  test("v2 keeps working by default; BEADHUB_PROXY_AUTH_V3_ONLY refuses it", async () => {
    const v2 = proxyHeaders(SECRET, peer.project_id, peer.agent_id);
    expect((await t.request("GET", "/v1/workspaces", { headers: v2 })).status).toBe(200);
    const strict = await startTestApp({ config: { internalAuthSecret: SECRET, proxyAuthV3Only: true } });
    try {
      const a = await initAgent(strict, { project_slug: "strict", alias: "s" });
      const refused = await strict.request("GET", "/v1/workspaces", { headers: proxyHeaders(SECRET, a.project_id, a.agent_id) });
      expect(refused.status).toBe(401);
      const ok = await strict.request("GET", "/v1/workspaces", { headers: v3(a.project_id, a.agent_id, "GET", "/v1/workspaces") });
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
