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

describe("JSON routes accept JSON only (defect 7)", () => {
  const form = "project_slug=csrf&alias=victim";
  const multipart = '--x\r\nContent-Disposition: form-data; name="project_slug"\r\n\r\ncsrf\r\n--x--\r\n';
  const cases: [string, string][] = [
    ["application/x-www-form-urlencoded", form],
    ["multipart/form-data; boundary=x", multipart],
    ["text/plain;charset=UTF-8", JSON.stringify({ project_slug: "csrf", alias: "victim" })],
  ];
  for (const [type, raw] of cases) {
    test(`POST /v1/init as ${type.split(";")[0]}: 415, no project and no key`, async () => {
      const res = await t.request("POST", "/v1/init", { raw, headers: { "content-type": type } });
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ detail: `Unsupported media type ${type.split(";")[0]}: send application/json` });
      const rows = await t.sql`select 1 from aweb.projects where slug = 'csrf'`;
      expect(rows.length).toBe(0);
    });
  }

  test("a form body on an authenticated JSON route: 415", async () => {
    const res = await t.request("POST", "/v1/reservations", {
      token: alice.api_key,
      raw: "resource_key=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(415);
  });

  test("JSON, bodyless posts and the text upload still work", async () => {
    const ok = await t.request("POST", "/v1/init", { body: { project_slug: "json-ok", alias: "jo", human_name: "J" } });
    expect(ok.status).toBe(200);
    // bodyless with a form type (nothing to parse): not refused
    const hb = await t.request("POST", `/v1/agents/${alice.agent_id}/heartbeat`, {
      token: alice.api_key,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(hb.status).not.toBe(415);
    const up = await t.request("POST", `/v1/beads/upload-jsonl?repo=${REPO}`, {
      token: alice.api_key,
      raw: jsonl([{ id: "txt-1", status: "open" }]),
      headers: { "content-type": "text/plain" },
    });
    expect(up.status).toBe(200);
  });
});
