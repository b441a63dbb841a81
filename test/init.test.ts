import { afterAll, describe, expect, test } from "bun:test";
import { hashApiKey } from "../src/auth/api-keys";
import { startTestApp } from "./support/harness";

const t = await startTestApp();
afterAll(() => t.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$/;

const init = (body: unknown, token?: string) => t.request("POST", "/v1/init", { body, token });
const count = async (table: string) => Number((await t.sql.unsafe(`select count(*)::int as n from ${table}`))[0].n);

describe("POST /v1/init", () => {
  test("creates project, agent, key, repo and workspace in one call", async () => {
    const res = await init({ project_slug: "alpha", repo_origin: "git@github.com:Acme/App.git", human_name: "Ada", alias: "ada-dev" });
    expect(res.status).toBe(200);
    const b = res.body;
    expect(Object.keys(b).sort()).toEqual(
      ["agent_id", "alias", "api_key", "canonical_origin", "created", "created_at", "project_id", "project_slug", "repo_id", "status", "workspace_created", "workspace_id"].sort(),
    );
    expect(b.status).toBe("ok");
    expect(b.api_key).toMatch(/^aw_sk_[0-9a-f]{64}$/);
    expect(b.created_at).toMatch(ISO);
    expect(b.project_id).toMatch(UUID);
    expect(b.agent_id).toMatch(UUID);
    expect(b.repo_id).toMatch(UUID);
    expect(b.workspace_id).toBe(b.agent_id);
    expect(b.project_slug).toBe("alpha");
    expect(b.canonical_origin).toBe("github.com/Acme/App");
    expect(b.alias).toBe("ada-dev");
    expect(b.created).toBe(true);
    expect(b.workspace_created).toBe(true);

    const [ws] = await t.sql`select alias, human_name, role, repo_id, project_id from server.workspaces where workspace_id = ${b.workspace_id}`;
    expect(ws).toEqual({ alias: "ada-dev", human_name: "Ada", role: "agent", repo_id: b.repo_id, project_id: b.project_id });
    const [proj] = await t.sql`select slug, name from server.projects where id = ${b.project_id}`;
    expect(proj).toEqual({ slug: "alpha", name: "alpha" });
  });

  test("keys are stored only as SHA-256 hashes", async () => {
    const res = await init({ project_slug: "hashes", alias: "h1" });
    const rows = await t.sql`select key_hash, key_prefix from aweb.api_keys where agent_id = ${res.body.agent_id}`;
    expect([...rows]).toEqual([{ key_hash: hashApiKey(res.body.api_key), key_prefix: res.body.api_key.slice(0, 12) }]);
    const leaked = await t.sql`
      select count(*)::int as n from aweb.api_keys where key_hash = ${res.body.api_key} or key_prefix = ${res.body.api_key}`;
    expect(leaked[0].n).toBe(0);
  });

  test("repeating init with the same alias and that agent's key reuses the agent and mints a new key; both keys work", async () => {
    const first = await init({ project_slug: "reuse", alias: "bob-x", human_name: "Bob" });
    // without the key it is a takeover attempt (issue 19): the conflict bdh understands
    const anonymous = await init({ project_slug: "reuse", alias: "bob-x", human_name: "Robert" });
    expect(anonymous.status).toBe(409);
    expect(anonymous.body.detail).toStartWith("alias_exists:");
    const second = await init({ project_slug: "reuse", alias: "bob-x", human_name: "Robert", agent_type: "human" }, first.body.api_key);
    expect(second.status).toBe(200);
    expect(second.body.agent_id).toBe(first.body.agent_id);
    expect(second.body.created).toBe(false);
    expect(second.body.api_key).not.toBe(first.body.api_key);
    for (const key of [first.body.api_key, second.body.api_key]) {
      const who = await t.request("GET", "/v1/auth/introspect", { token: key });
      expect(who.status).toBe(200);
      // human_name and agent_type are not updated on reuse (aweb.md §4.1)
      expect(who.body).toMatchObject({ agent_id: first.body.agent_id, alias: "bob-x", human_name: "Bob", agent_type: "agent" });
    }
  });

  test("concurrent inits with the same alias: one creates the agent, the others get alias_exists", async () => {
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => init({ project_slug: "race", alias: "same", repo_origin: "https://github.com/acme/race" })),
    );
    const ok = replies.filter((r) => r.status === 200);
    expect(ok.length).toBe(1);
    expect(ok[0].body).toMatchObject({ created: true, workspace_created: true });
    for (const r of replies.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(409);
      expect(r.body.detail).toStartWith("alias_exists:");
    }
    const agents = await t.sql`select count(*)::int as n from aweb.agents a join aweb.projects p using (project_id) where p.slug = 'race'`;
    expect(agents[0].n).toBe(1);
  });

  test("without alias: classic prefixes, with the role appended when a repo is given", async () => {
    const a = await init({ project_slug: "names", repo_origin: "git@github.com:acme/names.git" });
    const b = await init({ project_slug: "names", repo_origin: "git@github.com:acme/names.git", role: "  Backend   DEV " });
    const c = await init({ project_slug: "names" });
    expect([a.body.alias, b.body.alias, c.body.alias]).toEqual(["alice-agent", "bob-backend-dev", "charlie"]);
    const [ws] = await t.sql`select role from server.workspaces where workspace_id = ${b.body.workspace_id}`;
    expect(ws.role).toBe("backend dev");
    expect(c.body).toMatchObject({ repo_id: null, canonical_origin: null, workspace_id: null, workspace_created: false, created: true });
  });

  test("an existing alias consumes its prefix case-insensitively", async () => {
    await init({ project_slug: "prefixes", alias: "Alice" });
    await init({ project_slug: "prefixes", alias: "bob-03-x" });
    const next = await t.request("POST", "/v1/agents/suggest-alias-prefix", { body: { project_slug: "prefixes" } });
    expect(next.status).toBe(200);
    expect(next.body.name_prefix).toBe("bob");
    const made = await init({ project_slug: "prefixes" });
    expect(made.body.alias).toBe("bob");
  });

  test("no slug and no repo → 422 project_slug is required", async () => {
    const res = await init({ alias: "x" });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: "project_slug is required" });
  });

  test("no slug, unknown repo → 422 project_not_found; known repo → joins its project", async () => {
    const unknown = await init({ repo_origin: "git@github.com:nobody/nothing.git" });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toEqual({ detail: "project_not_found: repo not registered" });
    const first = await init({ project_slug: "joinme", repo_origin: "https://github.com/acme/join.git", alias: "one" });
    const second = await init({ repo_origin: "git@github.com:acme/join.git", alias: "two" });
    expect(second.status).toBe(200);
    expect(second.body.project_id).toBe(first.body.project_id);
    expect(second.body.repo_id).toBe(first.body.repo_id);
  });

  test("workspace_repo_mismatch is a 409 and leaves no new key behind", async () => {
    const first = await init({ project_slug: "mismatch", alias: "wanderer", repo_origin: "git@github.com:acme/one.git" });
    const keysBefore = await count("aweb.api_keys");
    const res = await init({ project_slug: "mismatch", alias: "wanderer", repo_origin: "git@github.com:acme/two.git" }, first.body.api_key);
    expect(res.status).toBe(409);
    expect(res.body.detail).toStartWith("workspace_repo_mismatch:");
    expect(res.body.detail).toContain("github.com/acme/one");
    expect(res.body.detail).toContain("github.com/acme/two");
    expect(await count("aweb.api_keys")).toBe(keysBefore);
    const ws = await t.sql`select repo_id from server.workspaces where workspace_id = ${first.body.workspace_id}`;
    expect(ws[0].repo_id).toBe(first.body.repo_id);
  });

  test("an existing project's name is never updated", async () => {
    await init({ project_slug: "named", project_name: "First Name" });
    await init({ project_slug: "named", project_name: "Second Name" });
    const rows = await t.sql`select name from aweb.projects where slug = 'named'`;
    expect([...rows]).toEqual([{ name: "First Name" }]);
  });

  test("accepts bdh's exact request body, including email", async () => {
    const raw =
      '{"repo_origin":"git@github.com:acme/bdh.git","alias":"alice-agent","human_name":"john.doe","role":"agent",' +
      '"email":"john@example.com","hostname":"devbox","workspace_path":"/home/john/src/bdh"}';
    const noSlug = await t.request("POST", "/v1/init", { raw, headers: { "content-type": "application/json" } });
    expect(noSlug.status).toBe(422);
    expect(noSlug.text).toContain("project_not_found");
    const withSlug = raw.replace('"role"', '"project_slug":"bdh-proj","role"');
    const res = await t.request("POST", "/v1/init", { raw: withSlug, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    expect(res.body.alias).toBe("alice-agent");
    expect(res.body.api_key.length).toBe(70);
  });
});

describe("POST /v1/init field rules", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["slug with a space", { project_slug: "bad slug" }, "project_slug"],
    ["slug with a backslash", { project_slug: "bad\\slug" }, "project_slug"],
    ["slug too long", { project_slug: "s".repeat(257) }, "project_slug"],
    ["empty alias", { project_slug: "p", alias: "" }, "alias"],
    ["alias with a slash", { project_slug: "p", alias: "org/alias" }, "alias"],
    ["alias starting with a dash", { project_slug: "p", alias: "-bob" }, "alias"],
    ["alias too long", { project_slug: "p", alias: "a".repeat(65) }, "alias"],
    ["alias with a backslash", { project_slug: "p", alias: "a\\b" }, "alias"],
    ["human_name starting with a digit", { project_slug: "p", human_name: "1abc" }, "human_name"],
    ["human_name with a bang", { project_slug: "p", human_name: "Bob!" }, "human_name"],
    ["human_name too long", { project_slug: "p", human_name: "A".repeat(65) }, "human_name"],
    ["role with three words", { project_slug: "p", role: "a b c" }, "role"],
    ["role with punctuation", { project_slug: "p", role: "dev!" }, "role"],
    ["role too long", { project_slug: "p", role: "r".repeat(51) }, "role"],
    ["hostname with a control char", { project_slug: "p", hostname: "host\u0001" }, "hostname"],
    ["hostname with a newline", { project_slug: "p", hostname: "ho\nst" }, "hostname"],
    ["workspace_path with a bell", { project_slug: "p", workspace_path: "/a\u0007b" }, "workspace_path"],
    ["agent_type too long", { project_slug: "p", agent_type: "t".repeat(33) }, "agent_type"],
    ["repo_origin unparsable", { project_slug: "p", repo_origin: "not a remote" }, "repo_origin"],
    ["repo_origin without a path", { project_slug: "p", repo_origin: "https://github.com/" }, "repo_origin"],
    ["unknown key", { project_slug: "p", surprise: 1 }, "surprise"],
    ["wrong type", { project_slug: 42 }, "project_slug"],
  ];
  for (const [name, body, field] of cases) {
    test(`${name} → 422 naming ${field}, nothing created`, async () => {
      const before = await count("aweb.agents");
      const res = await init(body);
      expect(res.status).toBe(422);
      expect(Array.isArray(res.body.detail)).toBe(true);
      expect(res.body.detail[0].loc).toEqual(["body", field]);
      expect(typeof res.body.detail[0].msg).toBe("string");
      expect(await count("aweb.agents")).toBe(before);
    });
  }

  test("whitespace-only alias counts as absent; tab and newline allowed in workspace_path", async () => {
    const res = await init({ project_slug: "lenient", alias: "   ", workspace_path: "/a\tb\nc", repo_origin: "git@h.io:o/r.git" });
    expect(res.status).toBe(200);
    expect(res.body.alias).toBe("alice-agent");
  });

  test("a dotted $USER-style human_name is accepted (docs/decisions.md)", async () => {
    const res = await init({ project_slug: "dots", human_name: "john.doe_jr" });
    expect(res.status).toBe(200);
  });

  test("malformed JSON → 422 JSON body", async () => {
    const res = await t.request("POST", "/v1/init", { raw: "{nope", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(422);
    expect(res.body.detail[0].type).toBe("json_invalid");
  });
});

describe("rate limit", async () => {
  const limited = await startTestApp({ config: { initRateLimit: 3, initRateWindowSeconds: 60, trustForwardedFor: true } });
  afterAll(() => limited.close());
  const from = (ip: string, i: number) =>
    limited.request("POST", "/v1/init", { body: { project_slug: "rl", alias: `rl-${ip.replace(/\./g, "")}-${i}` }, headers: { "x-forwarded-for": `${ip}, 10.0.0.1` } });

  test("the 4th init from one IP in the window is a 429 with Retry-After; other IPs are unaffected", async () => {
    for (let i = 0; i < 3; i++) expect((await from("1.2.3.4", i)).status).toBe(200);
    const agentsBefore = Number((await limited.sql`select count(*)::int as n from aweb.agents`)[0].n);
    const over = await from("1.2.3.4", 3);
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ detail: "Rate limit exceeded. Too many initialization requests." });
    const retry = Number(over.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect(Number((await limited.sql`select count(*)::int as n from aweb.agents`)[0].n)).toBe(agentsBefore);
    expect((await from("5.6.7.8", 0)).status).toBe(200);
  });

  test("X-Forwarded-For is ignored unless a trusted proxy is configured", async () => {
    const strict = await startTestApp({ config: { initRateLimit: 2, trustForwardedFor: false } });
    try {
      const send = (ip: string, i: number) =>
        strict.request("POST", "/v1/init", { body: { project_slug: "rl2", alias: `x${i}` }, headers: { "x-forwarded-for": ip } });
      expect((await send("9.9.9.1", 1)).status).toBe(200);
      expect((await send("9.9.9.2", 2)).status).toBe(200);
      // Different claimed addresses, same real peer: still limited.
      expect((await send("9.9.9.3", 3)).status).toBe(429);
    } finally {
      await strict.close();
    }
  });
});

describe("bootstrap routes can be disabled", async () => {
  const lib = await startTestApp({ enableBootstrapRoutes: false });
  afterAll(() => lib.close());
  test("POST /v1/init is gone", async () => {
    const res = await lib.request("POST", "/v1/init", { body: { project_slug: "x" } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "Not Found" });
  });
});
