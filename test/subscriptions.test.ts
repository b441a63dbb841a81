// /v1/subscriptions (docs/protocol/subscriptions.md).
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp, type Agent } from "./support/harness";

const t = await startTestApp();
afterAll(() => t.close());

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;
const NOT_YOURS = { detail: "Workspace not found or does not belong to your project" };
const VALID = "{'status_change', 'priority_change', 'assignee_change', 'all'}";

let slugN = 0;
const fresh = () => initAgent(t, { project_slug: `sub-${++slugN}` });

const subscribe = (a: Agent, extra: Record<string, unknown> = {}) =>
  t.request("POST", "/v1/subscriptions", {
    token: a.api_key,
    body: { workspace_id: a.workspace_id, alias: a.alias, bead_id: "bd-1", ...extra },
  });
const list = (a: Agent, q = `workspace_id=${a.workspace_id}&alias=${a.alias}`) =>
  t.request("GET", `/v1/subscriptions?${q}`, { token: a.api_key });
const remove = (a: Agent, id: string, q = `workspace_id=${a.workspace_id}&alias=${a.alias}`) =>
  t.request("DELETE", `/v1/subscriptions/${id}?${q}`, { token: a.api_key });

describe("POST /v1/subscriptions", () => {
  test("subscribes; repeating it is idempotent and replaces event_types", async () => {
    const a = await fresh();
    const r = await subscribe(a, { extra_key: true });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      subscription_id: expect.any(String),
      workspace_id: a.workspace_id,
      alias: a.alias,
      bead_id: "bd-1",
      repo: null,
      event_types: ["status_change"],
      created_at: expect.stringMatching(ISO),
    });
    const again = await subscribe(a, { event_types: ["all", "priority_change"] });
    expect(again.body.subscription_id).toBe(r.body.subscription_id);
    expect(again.body.event_types).toEqual(["all", "priority_change"]);
    expect(again.body.created_at).toBe(r.body.created_at);

    // A repo makes it a different subscription; the same repo again is the same one.
    const withRepo = await subscribe(a, { repo: "github.com/acme/app" });
    expect(withRepo.body.subscription_id).not.toBe(r.body.subscription_id);
    expect(withRepo.body.repo).toBe("github.com/acme/app");
    expect((await subscribe(a, { repo: "github.com/acme/app", event_types: [] })).body).toMatchObject({
      subscription_id: withRepo.body.subscription_id,
      event_types: [],
    });
    const namespaced = await subscribe(a, { bead_id: "app:bd-2", workspace_id: a.workspace_id!.toUpperCase() });
    expect(namespaced.status).toBe(200);
    expect(namespaced.body.workspace_id).toBe(a.workspace_id);
    const [{ n }] = await t.sql`select count(*)::int as n from server.subscriptions where workspace_id = ${a.workspace_id}`;
    expect(n).toBe(3);
  });

  test("bead_id and event_types errors are 400s; field-format errors are 422s", async () => {
    const a = await fresh();
    const bad: [Record<string, unknown>, string][] = [
      [{ bead_id: "pgdbm-4uv.16" }, "Invalid bead_id format: pgdbm-4uv.16"],
      [{ bead_id: "-x" }, "Invalid bead_id format: -x"],
      [{ bead_id: "a:b:c" }, "Invalid bead_id format: a:b:c"],
      [{ bead_id: "x".repeat(150) }, `Invalid bead_id format: ${"x".repeat(100)}`],
      [{ event_types: ["status_change", "closed"] }, `Invalid event_type: closed. Valid: ${VALID}`],
    ];
    for (const [extra, detail] of bad) {
      const r = await subscribe(a, extra);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ detail });
    }
    const fields: [Record<string, unknown>, string][] = [
      [{ workspace_id: "nope" }, "workspace_id"],
      [{ alias: "bad alias" }, "alias"],
      [{ bead_id: "" }, "bead_id"],
      [{ event_types: "all" }, "event_types"],
      [{ repo: 5 }, "repo"],
    ];
    for (const [extra, field] of fields) {
      const r = await subscribe(a, extra);
      expect(r.status).toBe(422);
      expect(r.body.detail[0].loc.slice(0, 2)).toEqual(["body", field]);
    }
    const [{ n }] = await t.sql`select count(*)::int as n from server.subscriptions where project_id = ${a.project_id}`;
    expect(n).toBe(0);
  });

  test("binding, workspace and alias checks are 403s; no auth is 401", async () => {
    const a = await fresh();
    const mate = await initAgent(t, { project_slug: a.project_slug });
    const binding = await subscribe(a, { workspace_id: mate.workspace_id, alias: mate.alias });
    expect(binding.status).toBe(403);
    expect(binding.body).toEqual({ detail: "workspace_id does not match API key identity" });
    const alias = await subscribe(a, { alias: "not-me" });
    expect(alias.status).toBe(403);
    expect(alias.body).toEqual({ detail: "Alias does not match workspace_id" });
    const anon = await t.request("POST", "/v1/subscriptions", { body: { workspace_id: a.workspace_id, alias: a.alias, bead_id: "b" } });
    expect(anon.status).toBe(401);
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${a.workspace_id}`;
    const dead = await subscribe(a);
    expect(dead.status).toBe(403);
    expect(dead.body).toEqual(NOT_YOURS);
  });
});

describe("GET /v1/subscriptions", () => {
  test("lists the workspace's subscriptions newest first, with a count", async () => {
    const a = await fresh();
    const first = (await subscribe(a, { bead_id: "bd-1" })).body;
    const second = (await subscribe(a, { bead_id: "bd-2", repo: "r" })).body;
    const other = await fresh();
    await subscribe(other);
    const r = await list(a);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ subscriptions: [second, first], count: 2 });
    expect((await list(other)).body.count).toBe(1);
  });

  test("query errors: missing 422, bad id 422, binding/alias/foreign 403", async () => {
    const a = await fresh();
    const mate = await initAgent(t, { project_slug: a.project_slug });
    const other = await fresh();
    for (const [q, field] of [[`alias=${a.alias}`, "workspace_id"], [`workspace_id=${a.workspace_id}`, "alias"], [`workspace_id=&alias=${a.alias}`, "workspace_id"]]) {
      const r = await list(a, q);
      expect(r.status).toBe(422);
      expect(r.body.detail[0].loc).toEqual(["query", field]);
    }
    const bad = await list(a, `workspace_id=zzz&alias=${a.alias}`);
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({ detail: "Invalid workspace_id format" });
    const binding = await list(a, `workspace_id=${mate.workspace_id}&alias=${mate.alias}`);
    expect(binding.status).toBe(403);
    expect(binding.body).toEqual({ detail: "workspace_id does not match API key identity" });
    const alias = await list(a, `workspace_id=${a.workspace_id}&alias=wrong`);
    expect(alias.body).toEqual({ detail: "Alias does not match workspace_id" });
    // Another project's agent asking about its own id with our alias still only sees its project.
    const foreign = await list(other, `workspace_id=${other.workspace_id}&alias=${a.alias}`);
    expect(foreign.status).toBe(403);
  });
});

describe("DELETE /v1/subscriptions/{id}", () => {
  test("deletes an owned subscription; then 404", async () => {
    const a = await fresh();
    const id = (await subscribe(a)).body.subscription_id;
    const r = await remove(a, id);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ subscription_id: id, deleted: true });
    const again = await remove(a, id);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: "Subscription not found" });
    expect((await list(a)).body.count).toBe(0);
  });

  test("errors: non-UUID id 400, someone else's 404, binding 403, bad workspace 422", async () => {
    const a = await fresh();
    const mate = await initAgent(t, { project_slug: a.project_slug });
    const other = await fresh();
    const mine = (await subscribe(a)).body.subscription_id;
    const theirs = (await subscribe(mate)).body.subscription_id;
    const foreign = (await subscribe(other)).body.subscription_id;

    const bad = await remove(a, "not-a-uuid");
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ detail: "Invalid subscription_id format" });
    for (const id of [theirs, foreign, crypto.randomUUID()]) {
      const r = await remove(a, id);
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ detail: "Subscription not found" });
    }
    const binding = await remove(a, theirs, `workspace_id=${mate.workspace_id}&alias=${mate.alias}`);
    expect(binding.status).toBe(403);
    expect(binding.body).toEqual({ detail: "workspace_id does not match API key identity" });
    const alias = await remove(a, mine, `workspace_id=${a.workspace_id}&alias=wrong`);
    expect(alias.status).toBe(403);
    const badWs = await remove(a, mine, `workspace_id=nope&alias=${a.alias}`);
    expect(badWs.status).toBe(422);
    expect(badWs.body).toEqual({ detail: "Invalid workspace_id format" });
    const missing = await remove(a, mine, `alias=${a.alias}`);
    expect(missing.status).toBe(422);
    const [{ n }] = await t.sql`select count(*)::int as n from server.subscriptions where id in ${t.sql([mine, theirs, foreign])}`;
    expect(n).toBe(3);
  });
});
