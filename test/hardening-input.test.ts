// Issue 19, defect 2: values too long for the btree index they land in answer
// a 422 naming the field (never a 500); a sync with some invalid issues stores
// the valid ones and reports the others (docs/decisions.md, issue 19).
import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { initAgent, startTestApp } from "./support/harness";
import { REPO, jsonl, sync } from "./support/bdh";

const t = await startTestApp();
afterAll(() => t.close());

const alice = await initAgent(t, { project_slug: "long-values", alias: "alice" });

/** Incompressible text: PostgreSQL compresses index tuples, so repeated characters would fit. */
const noise = (chars: number) => randomBytes(chars).toString("base64").slice(0, chars);

describe("long values in indexed columns", () => {
  test("reservation resource_key past the index limit: 422 naming the field, nothing stored", async () => {
    const key = noise(3000);
    const res = await t.request("POST", "/v1/reservations", { token: alice.api_key, body: { resource_key: key } });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ loc: ["body", "resource_key"], type: "string_too_long" });
    const [{ n }] = await t.sql`select count(*)::int as n from aweb.reservations where project_id = ${alice.project_id}`;
    expect(n).toBe(0);
    // a long key that fits still works
    const ok = await t.request("POST", "/v1/reservations", { token: alice.api_key, body: { resource_key: noise(1500) } });
    expect(ok.status).toBe(200);
  });

  test("subscription repo past the index limit: 422 naming the field", async () => {
    const res = await t.request("POST", "/v1/subscriptions", {
      token: alice.api_key,
      body: { workspace_id: alice.workspace_id, alias: "alice", bead_id: "bd-1", repo: noise(3000) },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ loc: ["body", "repo"], type: "string_too_long" });
  });

  test("escalation member_email past the index limit: 422 naming the field", async () => {
    const res = await t.request("POST", "/v1/escalations", {
      token: alice.api_key,
      body: { workspace_id: alice.workspace_id, alias: "alice", subject: "s", situation: "x", member_email: noise(3000) },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ loc: ["body", "member_email"], type: "string_too_long" });
  });

  test("sync: an issue with a 3,000-character status is reported, the valid ones are stored", async () => {
    const issues = [
      { id: "lv-1", title: "ok", status: "open" },
      { id: "lv-2", title: "bad", status: noise(3000) },
      { id: "lv-3", title: "ok too", status: "closed" },
    ];
    const res = await sync(t, alice, { issues });
    expect(res.status).toBe(200);
    expect(res.body.synced).toBe(true);
    expect(res.body.stats).toEqual({ received: 2, inserted: 2, updated: 0, deleted: 0 });
    expect(res.body.rejected).toEqual([{ bead_id: "lv-2", field: "status", detail: expect.stringContaining("255") }]);
    const rows = await t.sql`select bead_id from beads.beads_issues where project_id = ${alice.project_id} order by bead_id`;
    expect(rows.map((r) => r.bead_id)).toEqual(["lv-1", "lv-3"]);
  });

  test("uploads (JSON and JSONL) report the invalid issue and store the rest", async () => {
    const issues = [
      { id: "up-1", status: "open" },
      { id: "up-2", status: noise(3000) },
    ];
    const a = await t.request("POST", "/v1/beads/upload", { token: alice.api_key, body: { repo: REPO, branch: "dev", issues } });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ status: "completed", issues_synced: 1, issues_added: 1 });
    expect(a.body.rejected).toEqual([{ bead_id: "up-2", field: "status", detail: expect.any(String) }]);
    const b = await t.request("POST", `/v1/beads/upload-jsonl?repo=${REPO}&branch=dev2`, {
      token: alice.api_key,
      raw: jsonl(issues),
      headers: { "content-type": "text/plain" },
    });
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({ issues_synced: 1, issues_added: 1 });
    expect(b.body.rejected).toEqual([{ bead_id: "up-2", field: "status", detail: expect.any(String) }]);
  });
});

describe("data-size errors from PostgreSQL are the client's", () => {
  test("SQLSTATE 54000 (and the rest of class 54) map to 422, not 500", async () => {
    const { handleError } = await import("../src/http/error-handler");
    const { silentLogger } = await import("../src/log");
    for (const code of ["54000", "54001", "54011"]) {
      const error = Object.assign(new Error("index row size 3016 exceeds btree version 4 maximum 2704"), { name: "PostgresError", code });
      const res = handleError({ code: "UNKNOWN", error, requestId: "r", method: "POST", path: "/x", allowedMethods: () => [], log: silentLogger });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { detail: string }).detail).toStartWith("Invalid input: ");
    }
  });

  test("a bead id too long to index in a claiming command line is never a 500", async () => {
    const id = noise(3000).replace(/[^A-Za-z0-9]/g, "a");
    const res = await sync(t, alice, { issues: [{ id: "cl-1", status: "open" }], command_line: `update ${id} --status in_progress` });
    expect(res.status).toBeLessThan(500);
  });
});
