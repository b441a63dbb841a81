// POST /v1/reservations/force-release (humans only;
// docs/protocol/dashboard-api.md#post-v1reservationsforce-release).
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp } from "./support/harness";
import { eventsDuring } from "./support/events";
import { proxyHeaders, publicReaderHeaders } from "./support/proxy";

const SECRET = "force-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const ann = await initAgent(t, { project_slug: "frc", alias: "ann", repo_origin: null });
const ben = await initAgent(t, { project_slug: "frc", alias: "ben", repo_origin: null });
const boss = await initAgent(t, { project_slug: "frc", alias: "boss", agent_type: "human", repo_origin: null });
const oz = await initAgent(t, { project_slug: "frc-x", alias: "oz", repo_origin: null });
const ozBoss = await initAgent(t, { project_slug: "frc-x", alias: "ozboss", agent_type: "human", repo_origin: null });

const lock = async (token: string, key: string, reason?: string) => {
  const res = await t.request("POST", "/v1/reservations", { token, body: { resource_key: key, metadata: reason ? { reason } : {} } });
  expect(res.status).toBe(200);
};
const force = (token: string | undefined, body: unknown, headers?: Record<string, string>) =>
  t.request("POST", "/v1/reservations/force-release", { token, body, headers });
const held = async (projectId: string) =>
  (await t.sql`select resource_key from aweb.reservations where project_id = ${projectId} and expires_at > now() order by 1`).map(
    (r) => r.resource_key,
  );

describe("POST /v1/reservations/force-release", () => {
  test("a human releases anyone's locks; reservation.released with forced and released_by on the holder's channel", async () => {
    await lock(ann.api_key, "src/a.ts", "editing");
    await lock(ben.api_key, "src/b.ts");
    let res: any;
    const events = await eventsDuring(t, ann.agent_id, async () => {
      res = await force(boss.api_key, { resource_keys: ["src/a.ts", "src/b.ts", "src/none.ts", "src/a.ts"] });
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ released: ["src/a.ts", "src/b.ts"], not_found: ["src/none.ts"] });
    expect(events).toEqual([
      expect.objectContaining({
        workspace_id: ann.agent_id,
        type: "reservation.released",
        project_slug: "frc",
        paths: ["src/a.ts"],
        alias: "ann",
        reason: "editing",
        forced: true,
        released_by: "boss",
      }),
    ]);
    expect(await held(ann.project_id)).toEqual([]);
    // the key is free again
    await lock(ben.api_key, "src/a.ts");
  });

  test("an expired lock is not_found; a proxy user may force-release", async () => {
    await lock(ann.api_key, "src/old.ts");
    await t.sql`update aweb.reservations set expires_at = now() - interval '1 second' where resource_key = 'src/old.ts'`;
    const res = await force(undefined, { resource_keys: ["src/old.ts"] }, proxyHeaders(SECRET, ann.project_id, crypto.randomUUID(), { type: "u" }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ released: [], not_found: ["src/old.ts"] });
  });

  test("another project's locks are out of reach", async () => {
    await lock(oz.api_key, "src/a.ts");
    const res = await force(boss.api_key, { resource_keys: ["src/a.ts"] });
    expect(res.body).toEqual({ released: ["src/a.ts"], not_found: [] }); // ben's, in this project
    expect(await held(oz.project_id)).toEqual(["src/a.ts"]);
    const theirs = await force(ozBoss.api_key, { resource_keys: ["src/b.ts"] });
    expect(theirs.body).toEqual({ released: [], not_found: ["src/b.ts"] });
  });

  test("humans only: agent 403, public reader 403, no credentials 401 — nothing released", async () => {
    await lock(ann.api_key, "src/keep.ts");
    const agent = await force(ben.api_key, { resource_keys: ["src/keep.ts"] });
    expect(agent.status).toBe(403);
    expect(agent.body).toEqual({ detail: "Only a human can do this" });
    const reader = await force(undefined, { resource_keys: ["src/keep.ts"] }, publicReaderHeaders(SECRET, ann.project_id, ann.agent_id));
    expect(reader.status).toBe(403);
    expect(reader.body).toEqual({ detail: "Public readers cannot make changes" });
    expect((await force(undefined, { resource_keys: ["src/keep.ts"] })).status).toBe(401);
    expect(await held(ann.project_id)).toContain("src/keep.ts");
  });

  test("bad input: 422, nothing released", async () => {
    for (const body of [
      {},
      { resource_keys: [] },
      { resource_keys: "src/keep.ts" },
      { resource_keys: [""] },
      { resource_keys: ["k".repeat(4097)] },
      { resource_keys: Array.from({ length: 101 }, (_, i) => `k${i}`) },
      { resource_keys: ["src/keep.ts"], extra: 1 },
    ]) {
      const res = await force(boss.api_key, body);
      expect(res.status).toBe(422);
    }
    expect(await held(ann.project_id)).toContain("src/keep.ts");
  });
});
