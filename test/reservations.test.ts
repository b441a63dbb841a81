import { afterAll, describe, expect, test } from "bun:test";
import { mintApiKey } from "../src/auth/api-keys";
import { initAgent, startTestApp } from "./support/harness";
import { eventsDuring as eventsDuringOn } from "./support/events";

const t = await startTestApp();
afterAll(() => t.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$/;

const alice = await initAgent(t, { project_slug: "locks", alias: "alice" });
const bob = await initAgent(t, { project_slug: "locks", alias: "bob", repo_origin: null });
const outsider = await initAgent(t, { project_slug: "locks-other", alias: "olga", repo_origin: null });
const noAgentKey = await mintApiKey(t.sql, alice.project_id, null);

const JSON_HEADERS = { "content-type": "application/json", accept: "application/json" };
/** POST exactly these bytes, as aw's Go client does. */
const post = (path: string, token: string | undefined, raw: string) =>
  t.request("POST", `/v1/reservations${path}`, { token, raw, headers: JSON_HEADERS });
const acquire = (token: string | undefined, body: unknown) => post("", token, JSON.stringify(body));
const list = (token: string | undefined, query = "") => t.request("GET", `/v1/reservations${query}`, { token });
const seconds = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 1000);

const eventsDuring = (workspaceId: string, fn: () => Promise<unknown>) => eventsDuringOn(t, workspaceId, fn);

describe("POST /v1/reservations (acquire)", () => {
  test("bdh auto-reserve body: 200 with every field aw decodes", async () => {
    const res = await post("", alice.api_key, '{"resource_key":"src/main.go","ttl_seconds":300,"metadata":{"reason":"auto-reserve"}}');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "acquired",
      project_id: alice.project_id,
      resource_key: "src/main.go",
      holder_agent_id: alice.agent_id,
      holder_alias: "alice",
      acquired_at: expect.stringMatching(ISO),
      expires_at: expect.stringMatching(ISO),
    });
    expect(seconds(res.body.acquired_at, res.body.expires_at)).toBe(300);
  });

  test("409 for the holder itself and for another agent, naming the holder", async () => {
    const mine = await post("", alice.api_key, '{"resource_key":"src/main.go","ttl_seconds":300,"metadata":{"reason":"auto-reserve"}}');
    const theirs = await post("", bob.api_key, '{"resource_key":"src/main.go","ttl_seconds":3600}');
    for (const res of [mine, theirs]) {
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        detail: "Reservation is already held",
        holder_agent_id: alice.agent_id,
        holder_alias: "alice",
        expires_at: expect.stringMatching(ISO),
      });
    }
  });

  const ttls: [string, string, number][] = [
    ["omitted → 60", '{"resource_key":"ttl/a"}', 60],
    ["5 → 60", '{"resource_key":"ttl/b","ttl_seconds":5}', 60],
    ["86400 → 3600", '{"resource_key":"ttl/c","ttl_seconds":86400}', 3600],
    ['"120" → 120', '{"resource_key":"ttl/d","ttl_seconds":"120"}', 120],
    ["aw's default 3600", '{"resource_key":"ttl/e","ttl_seconds":3600}', 3600],
  ];
  for (const [name, raw, expected] of ttls) {
    test(`ttl_seconds ${name}`, async () => {
      const res = await post("", bob.api_key, raw);
      expect(res.status).toBe(200);
      expect(seconds(res.body.acquired_at, res.body.expires_at)).toBe(expected);
    });
  }

  const invalidBodies: [string, string][] = [
    ["ttl_seconds 0", '{"resource_key":"x","ttl_seconds":0}'],
    ["ttl_seconds -5", '{"resource_key":"x","ttl_seconds":-5}'],
    ["ttl_seconds 1.5", '{"resource_key":"x","ttl_seconds":1.5}'],
    ["ttl_seconds null", '{"resource_key":"x","ttl_seconds":null}'],
    ['ttl_seconds "soon"', '{"resource_key":"x","ttl_seconds":"soon"}'],
    ["metadata as a list", '{"resource_key":"x","metadata":["a"]}'],
    ["metadata as a string", '{"resource_key":"x","metadata":"a"}'],
    ["a project_id selector", `{"resource_key":"x","project_id":"${alice.project_id}"}`],
    ["an unknown key", '{"resource_key":"x","paths":["x"]}'],
    ["a missing resource_key", '{"ttl_seconds":60}'],
    ["an empty resource_key", '{"resource_key":""}'],
    ["a 4097-char resource_key", `{"resource_key":"${"k".repeat(4097)}"}`],
    ["invalid JSON", "{"],
  ];
  for (const [name, raw] of invalidBodies) {
    test(`422 for ${name}, nothing stored`, async () => {
      const res = await post("", alice.api_key, raw);
      expect(res.status).toBe(422);
      expect(Array.isArray(res.body.detail)).toBe(true);
      expect((await t.sql`select 1 from aweb.reservations where resource_key = 'x'`).length).toBe(0);
    });
  }

  test("401 without a key / bad key, 403 for a key without an agent", async () => {
    const body = '{"resource_key":"auth/x"}';
    expect((await post("", undefined, body)).status).toBe(401);
    expect((await post("", "aw_sk_bad", body)).body).toEqual({ detail: "Invalid API key" });
    const unbound = await post("", noAgentKey, body);
    expect(unbound.status).toBe(403);
    expect(unbound.body).toEqual({ detail: "API key is not bound to an agent" });
  });

  test("20 agents race for one key: exactly one wins, 19 409s name the winner", async () => {
    const racers = [];
    for (let i = 0; i < 20; i++) racers.push(await initAgent(t, { project_slug: "race", alias: `racer-${i}`, repo_origin: null }));
    const results = await Promise.all(racers.map((r) => acquire(r.api_key, { resource_key: "hot/key", ttl_seconds: 600 })));
    const winners = results.filter((r) => r.status === 200);
    const losers = results.filter((r) => r.status === 409);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    const winner = winners[0].body;
    for (const l of losers) {
      expect(l.body).toEqual({
        detail: "Reservation is already held",
        holder_agent_id: winner.holder_agent_id,
        holder_alias: winner.holder_alias,
        expires_at: winner.expires_at,
      });
    }
    const rows = await t.sql`select holder_agent_id from aweb.reservations where resource_key = 'hot/key'`;
    expect(rows.map((r) => r.holder_agent_id)).toEqual([winner.holder_agent_id]);
  });

  test("publishes reservation.acquired on the holder's channel", async () => {
    const events = await eventsDuring(bob.agent_id, () =>
      acquire(bob.api_key, { resource_key: "ev/a", ttl_seconds: 300, metadata: { reason: "manual" } }),
    );
    expect(events).toEqual([
      {
        workspace_id: bob.agent_id,
        type: "reservation.acquired",
        timestamp: expect.stringMatching(ISO),
        project_slug: "locks",
        paths: ["ev/a"],
        alias: "bob",
        ttl_seconds: 300,
        bead_id: null,
        reason: "manual",
        exclusive: true,
      },
    ]);
  });
});

describe("GET /v1/reservations", () => {
  test("active reservations by key with aw's fields plus bdh's legacy ones", async () => {
    const res = await list(noAgentKey, `?workspace_id=${alice.agent_id}&alias=alice`);
    expect(res.status).toBe(200);
    const keys = res.body.reservations.map((r: any) => r.resource_key);
    expect(keys).toEqual([...keys].sort());
    expect(res.body.count).toBe(keys.length);
    const main = res.body.reservations.find((r: any) => r.resource_key === "src/main.go");
    expect(main).toEqual({
      project_id: alice.project_id,
      resource_key: "src/main.go",
      holder_agent_id: alice.agent_id,
      holder_alias: "alice",
      acquired_at: expect.stringMatching(ISO),
      expires_at: expect.stringMatching(ISO),
      metadata: { reason: "auto-reserve" },
      ttl_remaining_seconds: expect.any(Number),
    });
    expect(main.ttl_remaining_seconds).toBeGreaterThan(280);
    expect(main.ttl_remaining_seconds).toBeLessThanOrEqual(300);
  });

  test("prefix is literal: % and _ are not wildcards", async () => {
    for (const key of ["lit/a%b", "lit/axb", "lit/a_c", "lit/abc"]) {
      expect((await acquire(alice.api_key, { resource_key: key })).status).toBe(200);
    }
    const pct = await list(alice.api_key, `?prefix=${encodeURIComponent("lit/a%")}`);
    expect(pct.body.reservations.map((r: any) => r.resource_key)).toEqual(["lit/a%b"]);
    const under = await list(alice.api_key, `?prefix=${encodeURIComponent("lit/a_")}`);
    expect(under.body.reservations.map((r: any) => r.resource_key)).toEqual(["lit/a_c"]);
    const all = await list(alice.api_key, "?prefix=lit%2F");
    expect(all.body.count).toBe(4);
  });

  test("another project sees none of these and may hold the same key", async () => {
    const mine = await list(outsider.api_key);
    expect(mine.body).toEqual({ reservations: [], count: 0 });
    const res = await acquire(outsider.api_key, { resource_key: "src/main.go" });
    expect(res.status).toBe(200);
    expect(res.body.project_id).toBe(outsider.project_id);
  });

  test("401 without a key", async () => {
    expect((await list(undefined)).status).toBe(401);
  });
});

describe("expiry", () => {
  test("an expired reservation is invisible and can be taken by anyone", async () => {
    await acquire(alice.api_key, { resource_key: "exp/a" });
    await t.sql`update aweb.reservations set expires_at = now() - interval '1 second' where resource_key = 'exp/a'`;
    const listed = await list(alice.api_key, "?prefix=exp%2F");
    expect(listed.body).toEqual({ reservations: [], count: 0 });
    // The old holder can neither renew nor is blocked by it; releasing is a no-op.
    const renew = await post("/renew", alice.api_key, '{"resource_key":"exp/a"}');
    expect(renew.status).toBe(404);
    expect(renew.body).toEqual({ detail: "Reservation not found" });
    expect((await post("/release", alice.api_key, '{"resource_key":"exp/a"}')).status).toBe(200);
    const taken = await acquire(bob.api_key, { resource_key: "exp/a", metadata: { reason: "manual" } });
    expect(taken.status).toBe(200);
    expect(taken.body.holder_alias).toBe("bob");
    const [row] = await t.sql`select holder_alias, metadata_json from aweb.reservations where resource_key = 'exp/a'`;
    expect(row).toEqual({ holder_alias: "bob", metadata_json: { reason: "manual" } });
  });
});

describe("POST /v1/reservations/renew", () => {
  test("extends your own reservation (bdh auto-reserve body), acquired_at unchanged", async () => {
    await acquire(alice.api_key, { resource_key: "renew/a", ttl_seconds: 60 });
    const [before] = await t.sql`select acquired_at from aweb.reservations where resource_key = 'renew/a'`;
    const res = await post("/renew", alice.api_key, '{"resource_key":"renew/a","ttl_seconds":300}');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "renewed", resource_key: "renew/a", expires_at: expect.stringMatching(ISO) });
    const [after] = await t.sql`select acquired_at, expires_at from aweb.reservations where resource_key = 'renew/a'`;
    expect(after.acquired_at).toBe(before.acquired_at);
    expect(after.expires_at).toBe(res.body.expires_at);
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeGreaterThan(290_000);
  });

  test("clamps like acquire: 86400 → 3600", async () => {
    const res = await post("/renew", alice.api_key, '{"resource_key":"renew/a","ttl_seconds":86400}');
    expect(Math.round((Date.parse(res.body.expires_at) - Date.now()) / 1000)).toBe(3600);
  });

  test("409 for another agent's reservation, 404 for a missing one or another project's", async () => {
    const theirs = await post("/renew", bob.api_key, '{"resource_key":"renew/a"}');
    expect(theirs.status).toBe(409);
    expect(theirs.body).toEqual({ detail: "Reservation held by another agent" });
    const missing = await post("/renew", alice.api_key, '{"resource_key":"renew/none"}');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: "Reservation not found" });
    const foreign = await post("/renew", outsider.api_key, '{"resource_key":"renew/a"}');
    expect(foreign.status).toBe(404);
  });

  test("422 for bad bodies, 403 for a key without an agent", async () => {
    for (const raw of ['{"resource_key":"renew/a","ttl_seconds":0}', '{"resource_key":"renew/a","metadata":{}}', "{}"]) {
      expect((await post("/renew", alice.api_key, raw)).status).toBe(422);
    }
    expect((await post("/renew", noAgentKey, '{"resource_key":"renew/a"}')).status).toBe(403);
  });

  test("publishes reservation.renewed", async () => {
    const events = await eventsDuring(alice.agent_id, () => post("/renew", alice.api_key, '{"resource_key":"renew/a","ttl_seconds":120}'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "reservation.renewed", paths: ["renew/a"], alias: "alice", ttl_seconds: 120, reason: null });
  });
});

describe("POST /v1/reservations/release", () => {
  test("releases your own (idempotent), publishing reservation.released once", async () => {
    await acquire(alice.api_key, { resource_key: "rel/a", metadata: { reason: "auto-reserve" } });
    const events = await eventsDuring(alice.agent_id, async () => {
      const res = await post("/release", alice.api_key, '{"resource_key":"rel/a"}');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: "released", resource_key: "rel/a" });
    });
    expect(events).toEqual([expect.objectContaining({ type: "reservation.released", paths: ["rel/a"], reason: "auto-reserve" })]);
    expect((await t.sql`select 1 from aweb.reservations where resource_key = 'rel/a'`).length).toBe(0);
    const again = await post("/release", alice.api_key, '{"resource_key":"rel/a"}');
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: "released", resource_key: "rel/a" });
  });

  test("409 for another agent's; another project's release changes nothing", async () => {
    await acquire(alice.api_key, { resource_key: "rel/b" });
    const theirs = await post("/release", bob.api_key, '{"resource_key":"rel/b"}');
    expect(theirs.status).toBe(409);
    expect(theirs.body).toEqual({ detail: "Reservation held by another agent" });
    expect((await post("/release", outsider.api_key, '{"resource_key":"rel/b"}')).status).toBe(200);
    expect((await t.sql`select holder_alias from aweb.reservations where resource_key = 'rel/b'`)[0].holder_alias).toBe("alice");
  });

  test("422 for extra keys (bdh's legacy paths body), 401/403 auth", async () => {
    const legacy = JSON.stringify({ workspace_id: alice.agent_id, alias: "alice", paths: ["rel/b"] });
    expect((await post("/release", alice.api_key, legacy)).status).toBe(422);
    expect((await post("/release", undefined, '{"resource_key":"rel/b"}')).status).toBe(401);
    expect((await post("/release", noAgentKey, '{"resource_key":"rel/b"}')).status).toBe(403);
  });
});

describe("POST /v1/reservations/revoke", () => {
  const carol = initAgent(t, { project_slug: "revoke", alias: "carol", repo_origin: null });
  const dan = initAgent(t, { project_slug: "revoke", alias: "dan", repo_origin: null });

  test("with a prefix: only your own keys under it, both response shapes", async () => {
    const c = await carol;
    const d = await dan;
    for (const key of ["docs/b", "docs/a", "src/x", "src%y"]) await acquire(c.api_key, { resource_key: key });
    await acquire(d.api_key, { resource_key: "docs/z" });
    const res = await post("/revoke", c.api_key, '{"prefix":"docs/"}');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "revoked", deleted: 2, revoked_count: 2, revoked_keys: ["docs/a", "docs/b"] });
    const left = await list(c.api_key);
    expect(left.body.reservations.map((r: any) => r.resource_key)).toEqual(["docs/z", "src%y", "src/x"]);
  });

  test("a prefix is literal (% is not a wildcard)", async () => {
    const c = await carol;
    const res = await post("/revoke", c.api_key, '{"prefix":"src%"}');
    expect(res.body).toEqual({ status: "revoked", deleted: 1, revoked_count: 1, revoked_keys: ["src%y"] });
  });

  test("403 when the prefix matches only other agents' reservations", async () => {
    const c = await carol;
    const res = await post("/revoke", c.api_key, '{"prefix":"docs/"}');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: "Cannot revoke reservations held by other agents" });
    expect((await list(c.api_key, "?prefix=docs%2F")).body.count).toBe(1);
  });

  test("a prefix matching nothing is a 200 with zero", async () => {
    const c = await carol;
    const res = await post("/revoke", c.api_key, '{"prefix":"nothing/"}');
    expect(res.body).toEqual({ status: "revoked", deleted: 0, revoked_count: 0, revoked_keys: [] });
  });

  test("aw's empty body {} revokes all of your own, including expired rows", async () => {
    const c = await carol;
    await acquire(c.api_key, { resource_key: "old/a" });
    await t.sql`update aweb.reservations set expires_at = now() - interval '1 minute' where resource_key = 'old/a'`;
    const res = await post("/revoke", c.api_key, "{}");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "revoked", deleted: 2, revoked_count: 2, revoked_keys: ["old/a", "src/x"] });
    expect((await list(c.api_key)).body.reservations.map((r: any) => r.holder_alias)).toEqual(["dan"]);
  });

  test("422 for extra keys and an over-long prefix, 401/403 auth", async () => {
    const c = await carol;
    expect((await post("/revoke", c.api_key, `{"project_id":"${c.project_id}"}`)).status).toBe(422);
    expect((await post("/revoke", c.api_key, JSON.stringify({ prefix: "p".repeat(4097) }))).status).toBe(422);
    expect((await post("/revoke", undefined, "{}")).status).toBe(401);
    expect((await post("/revoke", noAgentKey, "{}")).status).toBe(403);
  });
});
