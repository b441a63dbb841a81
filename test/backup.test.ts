// `beadhub export` / `beadhub import` (issue 16): a zero-config install,
// populated through the API until every table has rows, is exported, imported
// into an empty PostgreSQL database, compared table by table and row by row,
// and then served in full mode, where the old API keys keep working.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCatalog } from "../src/backup/data";
import { runExport, runImport } from "../src/backup/command";
import { planLoad } from "../src/backup/service";
import { createApp } from "../src/app";
import type { Config } from "../src/config";
import { openSql, type Sql } from "../src/db/pool";
import { openEmbeddedSql, type EmbeddedSql } from "../src/embedded/runtime";
import { silentLogger } from "../src/log";
import { openRedis } from "../src/redis/client";
import { createMemoryRedis } from "../src/redis/memory";
import { command, sync } from "./support/bdh";
import { createEmptyDatabase, dropDatabase, urlFor } from "./support/db";
import { ensureEmbeddedTemplate } from "./support/embedded";
import { REDIS_URL, deleteRedisPrefix, initAgent, testConfig, wrapTestApp, type Agent, type TestApp } from "./support/harness";

const work = mkdtempSync(join(tmpdir(), "bh-backup-"));
const dataDir = join(work, "data");
const file = join(work, "export.jsonl");
const databases: string[] = [];
const prefix = `test:backup:${process.pid}:`;
let alice: Agent;
let bob: Agent;

const embeddedConfig = (): Readonly<Config> =>
  Object.freeze({ ...testConfig("embedded", prefix), databaseUrl: null, redisUrl: null, dataDir });
const fullConfig = (database: string): Readonly<Config> => testConfig(database, prefix);

async function startEmbedded(): Promise<{ t: TestApp; db: EmbeddedSql }> {
  const db = await openEmbeddedSql(dataDir, silentLogger);
  const redis = createMemoryRedis({ keyPrefix: prefix });
  const config = embeddedConfig();
  const handle = await createApp({ config, sql: db.sql, redis, log: silentLogger });
  const t = wrapTestApp(handle, db.sql, redis, config, "embedded", prefix, async () => {
    redis.disconnect();
    await db.close();
  });
  return { t, db };
}

async function ok(res: Promise<{ status: number; text: string; body: any }>) {
  const r = await res;
  if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
  return r.body;
}

/** Every row of every exported table, as row_to_json text in primary-key order. */
async function snapshot(sql: Sql): Promise<Map<string, string[]>> {
  const catalog = await readCatalog(sql);
  const out = new Map<string, string[]>();
  for (const t of catalog.values()) {
    const order = t.primaryKey.map((c) => `t."${c}"`).join(", ");
    const rows = await sql.unsafe<{ j: string }[]>(`select row_to_json(t)::text as j from ${t.name} t order by ${order}`);
    out.set(t.name, rows.map((r) => r.j));
  }
  return out;
}

async function populate(t: TestApp) {
  alice = await initAgent(t, { project_slug: "moving", alias: "alice" });
  bob = await initAgent(t, { project_slug: "moving", alias: "bob" });
  // Issues (beads), a claim, a subscription and a status change that queues a notification.
  await ok(sync(t, alice, { issues: [{ id: "bd-1", title: "First", status: "open", labels: ["x"] }, { id: "bd-2", title: "Second", status: "open" }] }));
  await ok(t.request("POST", "/v1/subscriptions", { token: bob.api_key, body: { workspace_id: bob.workspace_id, alias: bob.alias, bead_id: "bd-1" } }));
  await ok(sync(t, alice, { changed: [{ id: "bd-1", title: "First", status: "in_progress" }], command_line: "update bd-1 --status in_progress" }));
  // Mail, chat with a read receipt, a reservation, an escalation, a policy version (audited).
  await ok(t.request("POST", "/v1/messages", { token: alice.api_key, body: { to_alias: "bob", subject: "hi", body: "hello" } }));
  const chat = await ok(t.request("POST", "/v1/chat/sessions", { token: alice.api_key, body: { to_aliases: ["bob"], message: "chat?" } }));
  await ok(t.request("POST", `/v1/chat/sessions/${chat.session_id}/read`, { token: bob.api_key, body: { up_to_message_id: chat.message_id } }));
  await ok(t.request("POST", "/v1/reservations", { token: alice.api_key, body: { resource_key: "src/app.ts", ttl_seconds: 600 } }));
  await ok(
    t.request("POST", "/v1/escalations", {
      token: alice.api_key,
      headers: { accept: "application/json" },
      body: { workspace_id: alice.workspace_id, alias: alice.alias, subject: "Decide", situation: "Two options" },
    }),
  );
  const bundle = { invariants: [{ id: "inv", title: "INV", body_md: "b" }], roles: {}, adapters: {} };
  await ok(t.request("POST", "/v1/policies", { token: alice.api_key, body: { bundle } }));
}

beforeAll(async () => {
  const template = await ensureEmbeddedTemplate();
  cpSync(join(template, "pgdata"), join(dataDir, "pgdata"), { recursive: true });
});

afterAll(async () => {
  for (const d of databases) await dropDatabase(d);
  await deleteRedisPrefix(prefix);
  rmSync(work, { recursive: true, force: true });
});

let sourceRows: Map<string, string[]>;
const source = () => sourceRows;

describe("export and import", () => {

  test("a populated zero-config install: every table has rows; export refuses while the server holds the data dir", async () => {
    const { t, db } = await startEmbedded();
    try {
      await populate(t);
      sourceRows = await snapshot(db.sql);
      const empty = [...sourceRows].filter(([, rows]) => rows.length === 0).map(([name]) => name);
      expect(empty).toEqual([]);
      expect(sourceRows.size).toBe(19);
      await expect(runExport(embeddedConfig(), silentLogger, file)).rejects.toThrow(
        `data directory ${dataDir} is in use by another beadhub process (pid ${process.pid})`,
      );
    } finally {
      await t.close();
    }
  });

  test("export writes a versioned file with every row; import loads PostgreSQL row for row", async () => {
    const exported = await runExport(embeddedConfig(), silentLogger, file);
    expect(Object.fromEntries(exported.map((c) => [c.name, c.rows]))).toEqual(
      Object.fromEntries([...sourceRows].map(([name, rows]) => [name, rows.length])),
    );
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    const header = JSON.parse(lines[0]!);
    expect(header).toMatchObject({ format: "beadhub-export", version: 1, source: "embedded" });
    expect(header.migrations.length).toBeGreaterThan(0);
    const total = exported.reduce((n, c) => n + c.rows, 0);
    expect(lines).toHaveLength(total + 2);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ end: "beadhub-export", rows: total });

    const database = await createEmptyDatabase();
    databases.push(database);
    const imported = await runImport(fullConfig(database), silentLogger, file);
    expect(imported).toEqual(exported);
    const sql = openSql(urlFor(database), { max: 1 });
    try {
      const target = await snapshot(sql);
      expect([...target.keys()].sort()).toEqual([...sourceRows.keys()].sort());
      for (const [name, rows] of sourceRows) expect({ name, rows: target.get(name) }).toEqual({ name, rows });
    } finally {
      await sql.end({ timeout: 5 });
    }
    // A second import into the now populated database is refused.
    await expect(runImport(fullConfig(database), silentLogger, file)).rejects.toThrow(
      "the target database is not empty (aweb.agents has rows): import loads into an empty database only",
    );
  });

  test("after the switch a bdh client keeps syncing against full mode with its old key", async () => {
    const database = databases[0]!;
    const config = fullConfig(database);
    const sql = openSql(config.databaseUrl!, { max: 4 });
    const redis = await openRedis(REDIS_URL, { keyPrefix: prefix });
    const handle = await createApp({ config, sql, redis, log: silentLogger });
    const t = wrapTestApp(handle, sql, redis, config, database, prefix, async () => {
      await sql.end({ timeout: 5 });
      redis.disconnect();
    });
    try {
      const me = await t.request("GET", "/v1/auth/introspect", { token: alice.api_key });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ alias: "alice", project_id: alice.project_id });
      const pre = await command(t, alice, "update bd-2 --status in_progress");
      expect(pre.status).toBe(200);
      expect(pre.body.approved).toBe(true);
      const next = await sync(t, alice, { changed: [{ id: "bd-2", title: "Second", status: "in_progress" }], command_line: "update bd-2 --status in_progress" });
      expect(next.status).toBe(200);
      expect(next.body.synced).toBe(true);
      const issues = await t.request("GET", "/v1/beads/issues", { token: bob.api_key });
      expect(issues.status).toBe(200);
      expect(issues.body.issues.map((i: { bead_id: string; status: string }) => [i.bead_id, i.status]).sort()).toEqual([
        ["bd-1", "in_progress"],
        ["bd-2", "in_progress"],
      ]);
      const inbox = await t.request("GET", "/v1/messages/inbox", { token: bob.api_key });
      expect(inbox.status).toBe(200);
      expect(inbox.body.messages.map((m: { subject: string }) => m.subject)).toContain("hi");
    } finally {
      await t.close();
    }
  });
});

describe("import refuses bad files and changes nothing", () => {
  const cases: [string, (lines: string[]) => string[], string][] = [
    ["a truncated file", (l) => l.slice(0, -3), "the file ends early (expected row"],
    ["a newer format", (l) => [JSON.stringify({ ...JSON.parse(l[0]!), version: 99 }), ...l.slice(1)], "export format version 99 is newer than this beadhub reads (1): upgrade beadhub"],
    ["not an export", () => ["{}"], "not a beadhub export file (no beadhub-export header)"],
    ["an unknown migration", (l) => [JSON.stringify({ ...JSON.parse(l[0]!), migrations: [{ schema_name: "aweb", name: "9999_future", checksum: "x" }] }), ...l.slice(1)], "the export needs migration aweb/9999_future, which this beadhub does not have: upgrade beadhub"],
  ];
  for (const [name, edit, message] of cases) {
    test(name, async () => {
      const bad = join(work, "bad.jsonl");
      writeFileSync(bad, edit(readFileSync(file, "utf8").trimEnd().split("\n")).join("\n") + "\n");
      const database = await createEmptyDatabase();
      databases.push(database);
      await expect(runImport(fullConfig(database), silentLogger, bad)).rejects.toThrow(message);
      const sql = openSql(urlFor(database), { max: 1 });
      try {
        const counts = await snapshot(sql);
        expect([...counts.values()].every((rows) => rows.length === 0)).toBe(true);
      } finally {
        await sql.end({ timeout: 5 });
      }
    });
  }
});

test("load order: referenced tables first; the projects/policies/workspaces cycle is broken at a nullable column", async () => {
  const sql = openSql(urlFor(databases[0]!), { max: 1 });
  try {
    const plan = planLoad(await readCatalog(sql));
    const at = (n: string) => plan.order.indexOf(n);
    expect(at("aweb.projects")).toBeLessThan(at("aweb.agents"));
    expect(at("aweb.agents")).toBeLessThan(at("aweb.api_keys"));
    expect(at("server.workspaces")).toBeLessThan(at("beads.beads_issues"));
    // One nullable column on the cycle server.projects → project_policies → workspaces → projects.
    expect(plan.deferred.size).toBe(1);
    const [[table, columns]] = [...plan.deferred];
    expect(["server.projects/active_policy_id", "server.project_policies/created_by_workspace_id"]).toContain(`${table}/${columns!.join(",")}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
});

describe("the commands", () => {
  const ROOT = new URL("..", import.meta.url).pathname;
  const cli = async (args: string[], env: Record<string, string>) => {
    const p = Bun.spawn([process.execPath, `${ROOT}src/main.ts`, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: work, ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
    return { code, err: err.trim() };
  };

  test("without a file: usage, exit 2", async () => {
    expect(await cli(["export"], {})).toEqual({ code: 2, err: "usage: beadhub export <file>" });
    expect(await cli(["import"], {})).toEqual({ code: 2, err: "usage: beadhub import <file>" });
  });

  test("export of a data dir that holds no database: one line, exit 1, nothing created", async () => {
    const missing = join(work, "never-started");
    const got = await cli(["export", join(work, "x.jsonl")], { BEADHUB_DATA_DIR: missing });
    expect(got).toEqual({
      code: 1,
      err: `export failed: no embedded database in ${missing} (set BEADHUB_DATA_DIR, or BEADHUB_DATABASE_URL for PostgreSQL)`,
    });
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(work, "x.jsonl"))).toBe(false);
  });

  test("import --create-database: creates the named PostgreSQL database, then loads it", async () => {
    const name = `beadhub_e_${process.pid}_cli`;
    databases.push(name);
    await dropDatabase(name);
    const got = await cli(["import", "--create-database", file], { BEADHUB_DATABASE_URL: urlFor(name) });
    expect(got).toEqual({ code: 0, err: "" });
    const sql = openSql(urlFor(name), { max: 1 });
    try {
      const target = await snapshot(sql);
      for (const [table, rows] of source()) expect({ table, rows: target.get(table)?.length }).toEqual({ table, rows: rows.length });
    } finally {
      await sql.end({ timeout: 5 });
    }
  }, 60_000);

  test("restore into a new zero-config data dir: every row back", async () => {
    const restored = join(work, "restored");
    const got = await cli(["import", file], { BEADHUB_DATA_DIR: restored });
    expect(got).toEqual({ code: 0, err: "" });
    const db = await openEmbeddedSql(restored, silentLogger);
    try {
      const target = await snapshot(db.sql);
      for (const [name, rows] of source()) expect({ name, rows: target.get(name) }).toEqual({ name, rows });
    } finally {
      await db.close();
    }
  }, 60_000);
});
