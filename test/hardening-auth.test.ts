// Issue 19, "agent takeover by name": POST /v1/init mints a key for an existing
// alias only with proof; otherwise the alias_exists conflict bdh understands.
// The real bdh flows (464b0e0 request shapes) keep working.
import { afterAll, describe, expect, test } from "bun:test";
import { mintApiKey } from "../src/auth/api-keys";
import { startTestApp } from "./support/harness";

const t = await startTestApp();
const invite = await startTestApp({ config: { inviteOnly: true } });
afterAll(async () => {
  await t.close();
  await invite.close();
});

const json = { "content-type": "application/json", accept: "application/json" };
const ORIGIN = "git@github.com:acme/takeover.git";

/** The InitRequest bdh marshals (alias omitted when nil). */
function bdhInit(fields: { alias?: string; project_slug?: string; path: string }): string {
  const body: Record<string, unknown> = { repo_origin: ORIGIN };
  if (fields.alias !== undefined) body.alias = fields.alias;
  body.human_name = "john.doe";
  body.role = "agent";
  if (fields.project_slug) body.project_slug = fields.project_slug;
  body.hostname = "devbox";
  body.workspace_path = fields.path;
  return JSON.stringify(body);
}
const post = (app = t, path: string, raw: string, token?: string) =>
  app.request("POST", path, { raw, headers: token ? { ...json, authorization: `Bearer ${token}` } : json });
const keyCount = async (app = t) => Number((await app.sql`select count(*)::int as n from aweb.api_keys`)[0].n);

const first = await post(t, "/v1/init", bdhInit({ alias: "alice-agent", project_slug: "takeover", path: "/w/one" }));
const alice = first.body;

describe("POST /v1/init for an existing alias", () => {
  test("first :init created the agent", () => {
    expect(first.status).toBe(200);
    expect(alice).toMatchObject({ alias: "alice-agent", created: true, workspace_created: true });
  });

  test("no credentials: 409 alias_exists, no key minted, no mail can be sent as that agent", async () => {
    const keys = await keyCount();
    const res = await post(t, "/v1/init", bdhInit({ alias: "alice-agent", project_slug: "takeover", path: "/attacker" }));
    expect(res.status).toBe(409);
    expect(res.body.detail).toStartWith("alias_exists: alias 'alice-agent' is already taken");
    expect(res.body.api_key).toBeUndefined();
    expect(await keyCount()).toBe(keys);
    // the same without the repo (plain aweb bootstrap)
    const bare = await t.request("POST", "/v1/init", { body: { project_slug: "takeover", alias: "alice-agent" } });
    expect(bare.status).toBe(409);
    expect(bare.body.detail).toStartWith("alias_exists:");
  });

  test("bdh's default alias taken: it retries without an alias and the server picks the next name", async () => {
    const clash = await post(t, "/v1/init", bdhInit({ alias: "alice-agent", path: "/w/two" }));
    expect(clash.status).toBe(409);
    expect(clash.text).toContain("alias_exists");
    const retry = await post(t, "/v1/init", bdhInit({ path: "/w/two" }));
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ project_id: alice.project_id, alias: "bob-agent", created: true, workspace_created: true });
    expect(retry.body.agent_id).not.toBe(alice.agent_id);
  });

  test("with that agent's own key: 200, same agent, a new key", async () => {
    const res = await post(t, "/v1/init", bdhInit({ alias: "alice-agent", project_slug: "takeover", path: "/w/one" }), alice.api_key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agent_id: alice.agent_id, created: false, workspace_created: false });
    expect(res.body.api_key).not.toBe(alice.api_key);
  });

  test("with a project key that is not an agent's (a human of the project): 200", async () => {
    const human = await mintApiKey(t.sql, alice.project_id, null);
    const res = await post(t, "/v1/init", bdhInit({ alias: "alice-agent", project_slug: "takeover", path: "/w/one" }), human);
    expect(res.status).toBe(200);
    expect(res.body.agent_id).toBe(alice.agent_id);
  });

  test("with another agent's key, or a key of another project: 409 alias_exists", async () => {
    const bob = await post(t, "/v1/init", bdhInit({ alias: "carol-agent", project_slug: "takeover", path: "/w/three" }));
    const other = await t.request("POST", "/v1/init", { body: { project_slug: "takeover-elsewhere", alias: "x" } });
    for (const key of [bob.body.api_key, other.body.api_key]) {
      const res = await post(t, "/v1/init", bdhInit({ alias: "alice-agent", project_slug: "takeover", path: "/w/x" }), key);
      expect(res.status).toBe(409);
      expect(res.body.detail).toStartWith("alias_exists:");
    }
  });

  test("a bad key is a 401, not an anonymous init", async () => {
    const res = await post(t, "/v1/init", bdhInit({ alias: "zed", project_slug: "takeover", path: "/w/z" }), "aw_sk_nope");
    expect(res.status).toBe(401);
  });
});

describe("bdh flows after an init", () => {
  const register = (key: string, path: string) =>
    post(t, "/v1/workspaces/register", JSON.stringify({ repo_origin: ORIGIN, role: "agent", hostname: "devbox", workspace_path: path }), key);

  test(":init --update in an initialised clone (POST /v1/workspaces/register with the saved key)", async () => {
    const res = await register(alice.api_key, "/w/one-moved");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ workspace_id: alice.workspace_id, alias: "alice-agent", created: false });
  });

  test("recovering a deleted workspace: 410 on sync, then :init --update restores it", async () => {
    const del = await t.request("DELETE", `/v1/workspaces/${alice.workspace_id}`, { token: alice.api_key });
    expect(del.status).toBe(200);
    const syncBody = JSON.stringify({
      workspace_id: alice.workspace_id,
      repo_id: alice.repo_id,
      alias: "alice-agent",
      human_name: "john.doe",
      repo_origin: ORIGIN,
      sync_mode: "full",
      issues_jsonl: '{"id":"bd-1","status":"open"}\n',
      sync_protocol_version: 0,
    });
    const gone = await post(t, "/v1/bdh/sync", syncBody, alice.api_key);
    expect(gone.status).toBe(410);
    const res = await register(alice.api_key, "/w/one");
    expect(res.status).toBe(200);
    expect(res.body.workspace_id).toBe(alice.workspace_id);
    const again = await post(t, "/v1/bdh/sync", syncBody, alice.api_key);
    expect(again.status).toBe(200);
    expect(again.body.synced).toBe(true);
  });
});

describe("BEADHUB_INVITE_ONLY", () => {
  test("creating a project stays open; joining it needs a key of the project", async () => {
    const owner = await post(invite, "/v1/init", bdhInit({ alias: "alice-agent", project_slug: "closed", path: "/w/a" }));
    expect(owner.status).toBe(200);
    const stranger = await post(invite, "/v1/init", bdhInit({ alias: "bob-agent", project_slug: "closed", path: "/w/b" }));
    expect(stranger.status).toBe(403);
    expect(stranger.body.detail).toStartWith("invite_only:");
    const invited = await post(invite, "/v1/init", bdhInit({ alias: "bob-agent", project_slug: "closed", path: "/w/b" }), owner.body.api_key);
    expect(invited.status).toBe(200);
    expect(invited.body).toMatchObject({ alias: "bob-agent", created: true, project_id: owner.body.project_id });
    expect(invited.body.agent_id).not.toBe(owner.body.agent_id);
  });
});
