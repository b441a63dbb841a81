// GET /v1/claims (docs/protocol/sync.md).
import { afterAll, describe, expect, test } from "bun:test";
import { startTestApp } from "./support/harness";
import { publicReaderHeaders } from "./support/proxy";
import { encodeCursor } from "../src/http/wire";

const SECRET = "s3cret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

interface Made {
  api_key: string;
  project_id: string;
  workspace_id: string;
  alias: string;
}

async function agent(slug: string, alias: string): Promise<Made> {
  const res = await t.request("POST", "/v1/init", {
    body: { project_slug: slug, alias, human_name: "Claire", repo_origin: "git@github.com:acme/app.git" },
  });
  if (res.status !== 200) throw new Error(`init ${res.status} ${res.text}`);
  return res.body;
}

const publicReader = (projectId: string, actorId: string) => publicReaderHeaders(SECRET, projectId, actorId);

/** Claims inserted by one statement share claimed_at (now() is per transaction). */
async function claim(ws: Made, beadIds: string[], minutesAgo: number) {
  for (const beadId of beadIds) {
    await t.sql`
      insert into server.bead_claims (project_id, workspace_id, alias, human_name, bead_id, claimed_at)
      values (${ws.project_id}, ${ws.workspace_id}, ${ws.alias}, 'Claire', ${beadId},
              date_trunc('second', now()) - make_interval(mins => ${minutesAgo}))`;
  }
}

const get = (token: string, qs = "") => t.request("GET", `/v1/claims${qs}`, { token });

describe("GET /v1/claims", async () => {
  const a = await agent("cl", "cl-a");
  const b = await agent("cl", "cl-b");
  const x = await agent("cl-x", "cl-x");
  await claim(a, ["bd-1"], 50);
  await claim(b, ["bd-2"], 40);
  await claim(a, ["bd-3", "bd-4", "bd-5"], 30); // same claimed_at
  await claim(b, ["bd-6"], 20);
  await claim(x, ["bd-x"], 10);

  test("every field, newest first, this project only", async () => {
    const res = await get(a.api_key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(res.body.claims[0].bead_id).toBe("bd-6");
    expect(res.body.claims.map((c: any) => c.bead_id).sort()).toEqual(["bd-1", "bd-2", "bd-3", "bd-4", "bd-5", "bd-6"]);
    expect(res.body.claims.at(-1).bead_id).toBe("bd-1");
    const [row] = await t.sql`select claimed_at from server.bead_claims where bead_id = 'bd-6'`;
    expect(res.body.claims[0]).toEqual({
      bead_id: "bd-6",
      workspace_id: b.workspace_id,
      alias: "cl-b",
      human_name: "Claire",
      claimed_at: row.claimed_at,
      project_id: a.project_id,
      title: null,
    });
    // whole seconds: Python drops a zero fraction, so do we
    expect(row.claimed_at).toMatch(/T\d\d:\d\d:\d\d\+00:00$/);
    const other = await get(x.api_key);
    expect(other.body.claims.map((c: any) => c.bead_id)).toEqual(["bd-x"]);
  });

  test("workspace_id filter: normalized, empty ignored, foreign id sees nothing, invalid → 422", async () => {
    const mine = await get(a.api_key, `?workspace_id=${a.workspace_id.toUpperCase()}`);
    expect(mine.body.claims.map((c: any) => c.bead_id).sort()).toEqual(["bd-1", "bd-3", "bd-4", "bd-5"]);
    expect((await get(a.api_key, "?workspace_id=")).body.claims).toHaveLength(6);
    expect((await get(a.api_key, `?workspace_id=${x.workspace_id}`)).body.claims).toEqual([]);
    const bad = await get(a.api_key, "?workspace_id=nope");
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({ loc: ["query", "workspace_id"], msg: "Invalid workspace_id format" });
  });

  test("pages without loss or duplicates, even across equal claimed_at", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res: any = await get(a.api_key, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.claims.map((c: any) => c.bead_id));
      cursor = res.body.next_cursor;
      expect(res.body.has_more).toBe(cursor !== null);
      if (!cursor) break;
      expect(res.body.claims).toHaveLength(2);
      expect(Object.keys(JSON.parse(Buffer.from(cursor, "base64url").toString()))).toContain("claimed_at");
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    // a reference-style cursor ({"claimed_at"} only) is a strict <
    const [row] = await t.sql`select claimed_at from server.bead_claims where bead_id = 'bd-2'`;
    const ref = await get(a.api_key, `?cursor=${encodeCursor({ claimed_at: row.claimed_at })}`);
    expect(ref.body.claims.map((c: any) => c.bead_id)).toEqual(["bd-1"]);
  });

  test("limit and cursor validation; auth required", async () => {
    for (const qs of ["?limit=0", "?limit=201", "?limit=ten"]) {
      const res = await get(a.api_key, qs);
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(["query", "limit"]);
    }
    for (const cursor of ["***", encodeCursor({ claimed_at: "soon" }), encodeCursor({ claimed_at: "2026-01-01T00:00:00Z", id: 7 }), Buffer.from("42").toString("base64url")]) {
      const res = await get(a.api_key, `?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(422);
      expect(res.body.detail).toStartWith("Invalid cursor");
    }
    expect((await get(a.api_key, "?limit=200&other=1")).status).toBe(200);
    expect((await t.request("GET", "/v1/claims")).status).toBe(401);
  });

  test("public reader: human_name is empty", async () => {
    const res = await t.request("GET", "/v1/claims", { headers: publicReader(a.project_id, a.workspace_id) });
    expect(res.status).toBe(200);
    expect(res.body.claims).toHaveLength(6);
    expect(res.body.claims.every((c: any) => c.human_name === "" && c.alias.startsWith("cl-"))).toBe(true);
  });
});
