// Issue 19, defect 4: bulk work (syncs, uploads) has its own bounded share of
// the pool, each project's bulk work queues on its own with a bound (429), and
// an optional per-key request rate (429 + Retry-After).
import { afterAll, describe, expect, test } from "bun:test";
import { asBulk, type Gate } from "../src/db/gate";
import { openSql } from "../src/db/pool";
import { AppError } from "../src/http/errors";
import { BULK_QUEUE_PER_PROJECT, runBulk } from "../src/http/rate-limits";
import { createDatabaseFromTemplate, dropDatabase, urlFor } from "./support/db";
import { initAgent, startTestApp, testConfig } from "./support/harness";

const database = await createDatabaseFromTemplate();
const sql = openSql(urlFor(database), { max: 4 });
const gates = sql as unknown as { gate: Gate; bulkGate: Gate };
const t = await startTestApp({ config: { rateLimitPerKey: 2 } });
afterAll(async () => {
  await sql.end({ timeout: 5 });
  await dropDatabase(database);
  await t.close();
});

describe("the bulk share of the pool", () => {
  test("bulk transactions hold at most half the pool; a light query is answered while they run", async () => {
    const bulk = Array.from({ length: 8 }, () => asBulk(() => sql.begin(async (tx) => tx`select pg_sleep(0.4)`)));
    await Bun.sleep(50);
    expect(gates.bulkGate.stats).toEqual({ active: 2, waiting: 6 });
    expect(gates.gate.stats.active).toBe(2);
    const started = performance.now();
    const [row] = await sql`select 1 as one`;
    const lightMs = performance.now() - started;
    expect(row.one).toBe(1);
    expect(lightMs).toBeLessThan(200); // without the share it would wait behind the bulk queue (≥ 0.4 s)
    await Promise.all(bulk);
    expect(gates.bulkGate.stats).toEqual({ active: 0, waiting: 0 });
    expect(gates.gate.stats).toEqual({ active: 0, waiting: 0 });
  });
});

describe("bulk work per project", () => {
  test(`one project's syncs queue on their own; past ${BULK_QUEUE_PER_PROJECT} waiting the next is a 429 with Retry-After`, async () => {
    const config = testConfig("unused", "unused:", { bulkPerProject: 1 });
    let release: () => void = () => {};
    const blocked = new Promise<void>((r) => (release = r));
    const running = Array.from({ length: 1 + BULK_QUEUE_PER_PROJECT }, () => runBulk(config, "p1", () => blocked));
    let refused: unknown = null;
    try {
      await runBulk(config, "p1", async () => {});
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(429);
    expect((refused as AppError).headers).toEqual({ "Retry-After": "1" });
    // another project is not affected
    expect(await runBulk(config, "p2", async () => "ok")).toBe("ok");
    release();
    await Promise.all(running);
    expect(await runBulk(config, "p1", async () => "again")).toBe("again");
  });
});

describe("requests per API key (BEADHUB_RATE_LIMIT_PER_KEY)", () => {
  test("past the burst: 429 with Retry-After; another key is unaffected", async () => {
    const a = await initAgent(t, { project_slug: "rate", alias: "fast" });
    const b = await initAgent(t, { project_slug: "rate", alias: "calm" });
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push(await t.request("GET", "/v1/workspaces", { token: a.api_key }));
    const statuses = replies.map((r) => r.status);
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]); // burst = 2 × rate
    const limited = replies.find((r) => r.status === 429)!;
    expect(limited.body).toEqual({ detail: "Rate limit exceeded for this API key (2 requests per second)" });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await t.request("GET", "/v1/workspaces", { token: b.api_key })).status).toBe(200);
  });
});
