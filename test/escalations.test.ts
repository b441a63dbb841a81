// /v1/escalations (docs/protocol/escalations.md).
import { afterAll, describe, expect, test } from "bun:test";
import { proxyHeaders as signedHeaders } from "./support/proxy";
import { writePresence } from "../src/presence/presence";
import { channels } from "../src/redis/keys";
import { encodeCursor } from "../src/http/wire";
import { initAgent, startTestApp, type Agent } from "./support/harness";

const SECRET = "escalation-test-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INVALID_ALIAS = "Invalid alias: must be alphanumeric with hyphens/underscores, 1-64 chars";
const NOT_YOURS = { detail: "Workspace not found or does not belong to your project" };

let slugN = 0;
const fresh = (fields: Parameters<typeof initAgent>[1] = {}) => initAgent(t, { project_slug: `esc-${++slugN}`, ...fields });

const proxyHeaders = (projectId: string, actorId: string, type = "k") => signedHeaders(SECRET, projectId, actorId, { type });

/** bdh `:escalate` sends exactly these four fields. */
const escalate = (a: Agent, extra: Record<string, unknown> = {}) =>
  t.request("POST", "/v1/escalations", {
    token: a.api_key,
    headers: { accept: "application/json" },
    body: { workspace_id: a.workspace_id, alias: a.alias, subject: "Need a decision", situation: "Two options", ...extra },
  });

/** Listen on a workspace's event channel; wait() resolves once `n` events arrived. */
async function listen(workspaceId: string) {
  const events: Record<string, unknown>[] = [];
  const stop = t.handle.deps.bus.subscribe([channels.workspaceEvents(workspaceId)], (m) => events.push(JSON.parse(m)));
  await Bun.sleep(100); // let SUBSCRIBE reach Redis
  return {
    events,
    stop,
    async wait(n: number) {
      for (let i = 0; i < 100 && events.length < n; i++) await Bun.sleep(20);
      return events;
    },
  };
}

describe("POST /v1/escalations", () => {
  test("bdh's request: pending, expires in 4 h, escalation.created on the creator's channel", async () => {
    const a = await fresh();
    await writePresence(t.handle.deps, { workspace_id: a.workspace_id!, alias: a.alias, project_id: a.project_id, project_slug: a.project_slug });
    const sub = await listen(a.workspace_id!);
    const r = await escalate(a);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(["escalation_id", "status", "created_at", "expires_at"]);
    expect(r.body.escalation_id).toMatch(UUID);
    expect(r.body.status).toBe("pending");
    expect(r.body.created_at).toMatch(ISO);
    expect(Date.parse(r.body.expires_at) - Date.parse(r.body.created_at)).toBe(4 * 3600 * 1000);

    const [event] = await sub.wait(1);
    sub.stop();
    expect(Object.keys(event)).toEqual(["workspace_id", "type", "timestamp", "project_slug", "escalation_id", "alias", "subject"]);
    expect(event).toMatchObject({
      workspace_id: a.workspace_id,
      type: "escalation.created",
      project_slug: a.project_slug,
      escalation_id: r.body.escalation_id,
      alias: a.alias,
      subject: "Need a decision",
    });
    expect(event.timestamp).toMatch(ISO);
  });

  test("optional fields: options ([] stored as null), expires_in_hours, member_email; extras ignored", async () => {
    const a = await fresh();
    const sub = await listen(a.workspace_id!);
    const empty = await escalate(a, { options: [], unknown_field: 1 });
    expect(empty.status).toBe(200);
    const [ev] = await sub.wait(1);
    sub.stop();
    expect(ev.project_slug).toBeNull(); // no presence record
    const [row] = await t.sql`select options from server.escalations where id = ${empty.body.escalation_id}`;
    expect(row.options).toBeNull();

    const full = await escalate(a, { options: ["ship", "wait"], expires_in_hours: 1, member_email: "boss@example.com" });
    expect(Date.parse(full.body.expires_at) - Date.parse(full.body.created_at)).toBe(3600 * 1000);
    const got = await t.request("GET", `/v1/escalations/${full.body.escalation_id}`, { token: a.api_key });
    expect(got.body.options).toEqual(["ship", "wait"]);
    expect(got.body.member_email).toBe("boss@example.com");
    const lax = await escalate(a, { expires_in_hours: "2" });
    expect(Date.parse(lax.body.expires_at) - Date.parse(lax.body.created_at)).toBe(2 * 3600 * 1000);
  });

  test("body validation → 422 before auth", async () => {
    const a = await fresh();
    const cases: [Record<string, unknown>, string][] = [
      [{ subject: "" }, "subject"],
      [{ situation: undefined }, "situation"],
      [{ workspace_id: "nope" }, "workspace_id"],
      [{ workspace_id: "" }, "workspace_id"],
      [{ alias: "bad alias" }, "alias"],
      [{ alias: "a".repeat(65) }, "alias"],
      [{ options: [1] }, "options"],
      [{ expires_in_hours: 0 }, "expires_in_hours"],
      [{ expires_in_hours: -3 }, "expires_in_hours"],
      [{ expires_in_hours: 1.5 }, "expires_in_hours"],
      [{ expires_in_hours: null }, "expires_in_hours"],
      [{ expires_in_hours: 1_000_001 }, "expires_in_hours"],
    ];
    for (const [extra, field] of cases) {
      const r = await escalate(a, extra);
      expect(r.status).toBe(422);
      expect(r.body.detail[0].loc.slice(0, 2)).toEqual(["body", field]);
    }
    const anon = await t.request("POST", "/v1/escalations", {
      body: { workspace_id: a.workspace_id, alias: a.alias, subject: "s", situation: "x" },
    });
    expect(anon.status).toBe(401);
    const [{ n }] = await t.sql`select count(*)::int as n from server.escalations where project_id = ${a.project_id}`;
    expect(n).toBe(0);
  });

  test("checks in order: binding, live workspace, alias, project", async () => {
    const a = await fresh();
    const mate = await initAgent(t, { project_slug: a.project_slug });
    const other = await fresh();

    const binding = await escalate(a, { workspace_id: mate.workspace_id, alias: mate.alias });
    expect(binding.status).toBe(403);
    expect(binding.body).toEqual({ detail: "workspace_id does not match API key identity" });

    const alias = await escalate(a, { alias: "someone-else" });
    expect(alias.status).toBe(403);
    expect(alias.body).toEqual({ detail: "Alias does not match workspace_id" });

    // Proxy mode skips binding: another project's workspace reaches the later checks.
    const proxy = proxyHeaders(a.project_id, a.agent_id);
    const send = (body: Record<string, unknown>) =>
      t.request("POST", "/v1/escalations", { headers: proxy, body: { subject: "s", situation: "x", ...body } });
    const wrongAliasFirst = await send({ workspace_id: other.workspace_id, alias: "nope" });
    expect(wrongAliasFirst.body).toEqual({ detail: "Alias does not match workspace_id" });
    const foreign = await send({ workspace_id: other.workspace_id, alias: other.alias });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual(NOT_YOURS);
    expect((await send({ workspace_id: mate.workspace_id, alias: mate.alias })).status).toBe(200);

    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${a.workspace_id}`;
    const dead = await escalate(a);
    expect(dead.status).toBe(403);
    expect(dead.body).toEqual(NOT_YOURS);

    const reader = await t.request("POST", "/v1/escalations", {
      headers: proxyHeaders(a.project_id, a.agent_id, "p"),
      body: { workspace_id: mate.workspace_id, alias: mate.alias, subject: "s", situation: "x" },
    });
    expect(reader.status).toBe(401);
    const [{ n }] = await t.sql`select count(*)::int as n from server.escalations where project_id = ${other.project_id}`;
    expect(n).toBe(0);
  });
});

describe("GET /v1/escalations", () => {
  test("lists newest first, pages with a created_at cursor, is project-scoped", async () => {
    const a = await fresh();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await escalate(a, { subject: `s${i}` })).body.escalation_id);
    const all = await t.request("GET", "/v1/escalations", { token: a.api_key });
    expect(all.status).toBe(200);
    expect(all.body.has_more).toBe(false);
    expect(all.body.next_cursor).toBeNull();
    expect(all.body.escalations.map((e: { escalation_id: string }) => e.escalation_id)).toEqual([...ids].reverse());
    expect(Object.keys(all.body.escalations[0])).toEqual(["escalation_id", "alias", "subject", "status", "created_at", "expires_at", "responded_by"]);
    expect(all.body.escalations[0]).toMatchObject({ alias: a.alias, subject: "s4", status: "pending" });

    const p1 = await t.request("GET", "/v1/escalations?limit=2", { token: a.api_key });
    expect(p1.body.has_more).toBe(true);
    const seen = p1.body.escalations.map((e: { escalation_id: string }) => e.escalation_id);
    let cursor = p1.body.next_cursor;
    while (cursor) {
      const next = await t.request("GET", `/v1/escalations?limit=2&cursor=${cursor}`, { token: a.api_key });
      seen.push(...next.body.escalations.map((e: { escalation_id: string }) => e.escalation_id));
      cursor = next.body.next_cursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const exact = await t.request("GET", "/v1/escalations?limit=5", { token: a.api_key });
    expect(exact.body.has_more).toBe(false);

    const other = await fresh();
    const theirs = await t.request("GET", "/v1/escalations", { token: other.api_key });
    expect(theirs.body).toEqual({ escalations: [], has_more: false, next_cursor: null });
  });

  test("filters: workspace_id, repo_id, status, alias", async () => {
    const a = await fresh({ repo_origin: "git@github.com:acme/one.git" });
    const b = await initAgent(t, { project_slug: a.project_slug, repo_origin: "git@github.com:acme/two.git" });
    await escalate(a);
    await escalate(b);
    const list = async (q: string) =>
      (await t.request("GET", `/v1/escalations?${q}`, { token: a.api_key })).body.escalations.map((e: { alias: string }) => e.alias);
    expect(await list(`workspace_id=${b.workspace_id}`)).toEqual([b.alias]);
    expect(await list(`workspace_id=${a.workspace_id!.toUpperCase()}`)).toEqual([a.alias]);
    expect(await list(`repo_id=${b.repo_id}`)).toEqual([b.alias]);
    expect(await list(`alias=${a.alias}`)).toEqual([a.alias]);
    expect(await list("status=pending")).toHaveLength(2);
    expect(await list("status=responded")).toEqual([]);
    // workspace_id wins over repo_id.
    expect(await list(`workspace_id=${a.workspace_id}&repo_id=${b.repo_id}`)).toEqual([a.alias]);
  });

  test("filter and paging errors", async () => {
    const a = await fresh();
    const other = await fresh();
    const get = (q: string) => t.request("GET", `/v1/escalations?${q}`, { token: a.api_key });
    const plain: [string, number, string][] = [
      [`workspace_id=${other.workspace_id}`, 403, NOT_YOURS.detail],
      ["workspace_id=nope", 422, "Invalid workspace_id format"],
      [`repo_id=${"z".repeat(36)}`, 422, "Invalid repo_id format: expected UUID"],
      ["status=open", 422, "Invalid status: must be one of ['expired', 'pending', 'responded']"],
      ["alias=bad.alias", 422, INVALID_ALIAS],
    ];
    for (const [q, status, detail] of plain) {
      const r = await get(q);
      expect(r.status).toBe(status);
      expect(r.body).toEqual({ detail });
    }
    const listed: [string, string][] = [
      ["workspace_id=", "workspace_id"],
      ["repo_id=123", "repo_id"],
      [`status=${"p".repeat(21)}`, "status"],
      [`alias=${"a".repeat(65)}`, "alias"],
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=x", "limit"],
      ["cursor=!!!", "cursor"],
      [`cursor=${Buffer.from("[1]").toString("base64url")}`, "cursor"],
      [`cursor=${encodeCursor({ created_at: "yesterday" })}`, "cursor"],
    ];
    for (const [q, field] of listed) {
      const r = await get(q);
      expect(r.status).toBe(422);
      // Cursor errors are plain strings (beadhub.md §0); field rules are pydantic lists.
      if (field === "cursor") expect(r.body.detail).toStartWith("Invalid cursor");
      else expect(r.body.detail[0].loc).toEqual(["query", field]);
    }
    expect((await get("limit=200")).status).toBe(200);
    expect((await get("limit=1")).status).toBe(200);
    expect((await t.request("GET", "/v1/escalations")).status).toBe(401);
  });
});

describe("GET /v1/escalations/{id}", () => {
  test("returns the detail; 404 for other projects, dead workspaces, malformed ids", async () => {
    const a = await fresh();
    const created = (await escalate(a, { member_email: null })).body;
    const r = await t.request("GET", `/v1/escalations/${created.escalation_id}`, { token: a.api_key });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      escalation_id: created.escalation_id,
      workspace_id: a.workspace_id,
      alias: a.alias,
      member_email: null,
      subject: "Need a decision",
      situation: "Two options",
      options: null,
      status: "pending",
      response: null,
      response_note: null,
      created_at: created.created_at,
      responded_at: null,
      expires_at: created.expires_at,
      responded_by: null,
    });
    const scoped = await t.request("GET", `/v1/escalations/${created.escalation_id}?workspace_id=${a.workspace_id}`, { token: a.api_key });
    expect(scoped.status).toBe(200);
    const mate = await initAgent(t, { project_slug: a.project_slug });
    const wrongWs = await t.request("GET", `/v1/escalations/${created.escalation_id}?workspace_id=${mate.workspace_id}`, { token: a.api_key });
    expect(wrongWs.status).toBe(404);
    const badWs = await t.request("GET", `/v1/escalations/${created.escalation_id}?workspace_id=zzz`, { token: a.api_key });
    expect(badWs.status).toBe(422);
    expect(badWs.body).toEqual({ detail: "Invalid workspace_id format" });

    const other = await fresh();
    for (const [who, id] of [[other, created.escalation_id], [a, "not-a-uuid"], [a, crypto.randomUUID()]] as const) {
      const miss = await t.request("GET", `/v1/escalations/${id}`, { token: who.api_key });
      expect(miss.status).toBe(404);
      expect(miss.body).toEqual({ detail: "Escalation not found" });
    }
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${a.workspace_id}`;
    const dead = await t.request("GET", `/v1/escalations/${created.escalation_id}`, { token: mate.api_key });
    expect(dead.status).toBe(404);
  });
});

describe("POST /v1/escalations/{id}/respond", () => {
  test("any project member responds, again and again; escalation.responded is published", async () => {
    const a = await fresh();
    const mate = await initAgent(t, { project_slug: a.project_slug });
    const created = (await escalate(a)).body;
    const sub = await listen(a.workspace_id!);
    const r = await t.request("POST", `/v1/escalations/${created.escalation_id}/respond`, {
      token: mate.api_key,
      body: { response: "ship it", note: "carefully" },
    });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(["escalation_id", "status", "response", "response_note", "responded_at", "responded_by"]);
    expect(r.body).toMatchObject({
      escalation_id: created.escalation_id,
      status: "responded",
      response: "ship it",
      response_note: "carefully",
      responded_by: mate.alias,
    });
    expect(r.body.responded_at).toMatch(ISO);
    const [event] = await sub.wait(1);
    expect(Object.keys(event)).toEqual(["workspace_id", "type", "timestamp", "project_slug", "escalation_id", "response", "responded_by"]);
    expect(event).toMatchObject({
      workspace_id: a.workspace_id,
      type: "escalation.responded",
      escalation_id: created.escalation_id,
      response: "ship it",
      responded_by: mate.alias,
    });

    const again = await t.request("POST", `/v1/escalations/${created.escalation_id}/respond`, { token: a.api_key, body: { response: "no, wait" } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "responded", response: "no, wait", response_note: null, responded_by: a.alias });
    await sub.wait(2);
    sub.stop();
    expect(sub.events.map((e) => e.response)).toEqual(["ship it", "no, wait"]);
    const detail = await t.request("GET", `/v1/escalations/${created.escalation_id}`, { token: a.api_key });
    expect(detail.body).toMatchObject({
      status: "responded",
      response: "no, wait",
      response_note: null,
      responded_at: again.body.responded_at,
      responded_by: a.alias,
    });
    const listed = await t.request("GET", "/v1/escalations?status=responded", { token: a.api_key });
    expect(listed.body.escalations[0].responded_by).toBe(a.alias);
    expect(listed.body.escalations.map((e: { escalation_id: string }) => e.escalation_id)).toEqual([created.escalation_id]);
  });

  test("responded_by names a proxy user without an agent as user:<id>", async () => {
    const a = await fresh();
    const id = (await escalate(a)).body.escalation_id;
    const user = "33333333-3333-4333-8333-333333333333";
    const r = await t.request("POST", `/v1/escalations/${id}/respond`, {
      headers: signedHeaders(SECRET, a.project_id, crypto.randomUUID(), { type: "u", principal: user }),
      body: { response: "approved" },
    });
    expect(r.status).toBe(200);
    expect(r.body.responded_by).toBe(`user:${user}`);
    const [row] = await t.sql`select responded_by from server.escalations where id = ${id}`;
    expect(row.responded_by).toBe(`user:${user}`);
  });

  test("errors: 404 other project / unknown / malformed, 422 empty response, 401 public reader", async () => {
    const a = await fresh();
    const other = await fresh();
    const id = (await escalate(a)).body.escalation_id;
    for (const [who, target] of [[other, id], [a, crypto.randomUUID()], [a, "garbage"]] as const) {
      const r = await t.request("POST", `/v1/escalations/${target}/respond`, { token: who.api_key, body: { response: "x" } });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ detail: "Escalation not found" });
    }
    for (const body of [{ response: "" }, {}, { response: 5 }]) {
      const r = await t.request("POST", `/v1/escalations/${id}/respond`, { token: a.api_key, body });
      expect(r.status).toBe(422);
      expect(r.body.detail[0].loc).toEqual(["body", "response"]);
    }
    const reader = await t.request("POST", `/v1/escalations/${id}/respond`, {
      headers: proxyHeaders(a.project_id, a.agent_id, "p"),
      body: { response: "x" },
    });
    expect(reader.status).toBe(401);
    const [row] = await t.sql`select status from server.escalations where id = ${id}`;
    expect(row.status).toBe("pending");
  });

  test("expiry (§20 Q2): a pending escalation past expires_at reads as expired and cannot be answered", async () => {
    const a = await fresh();
    const stale = (await escalate(a, { subject: "stale" })).body.escalation_id;
    await escalate(a, { subject: "live" });
    const answered = (await escalate(a, { subject: "answered" })).body.escalation_id;
    await t.request("POST", `/v1/escalations/${answered}/respond`, { token: a.api_key, body: { response: "done" } });
    await t.sql`update server.escalations set expires_at = now() - interval '1 minute' where id in ${t.sql([stale, answered])}`;

    const detail = await t.request("GET", `/v1/escalations/${stale}`, { token: a.api_key });
    expect(detail.body.status).toBe("expired");
    const subjects = async (q: string) =>
      (await t.request("GET", `/v1/escalations${q}`, { token: a.api_key })).body.escalations.map((e: { subject: string; status: string }) => `${e.subject}:${e.status}`);
    expect(await subjects("")).toEqual(["answered:responded", "live:pending", "stale:expired"]);
    expect(await subjects("?status=expired")).toEqual(["stale:expired"]);
    expect(await subjects("?status=pending")).toEqual(["live:pending"]);

    const late = await t.request("POST", `/v1/escalations/${stale}/respond`, { token: a.api_key, body: { response: "too late" } });
    expect(late.status).toBe(409);
    expect(late.body).toEqual({ detail: "Escalation has expired" });
    const [row] = await t.sql`select status, response from server.escalations where id = ${stale}`;
    expect(row).toEqual({ status: "pending", response: null });

    // An answered escalation stays answered (and re-answerable) after expires_at.
    const re = await t.request("POST", `/v1/escalations/${answered}/respond`, { token: a.api_key, body: { response: "still" } });
    expect(re.status).toBe(200);
    expect(re.body.status).toBe("responded");
  });
});
