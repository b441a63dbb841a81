// Zero-config start (issue 10): createApp with no database and no Redis URL
// creates an empty data directory from a migrated cluster (issue 16,
// src/embedded/cluster.ts), says so, serves requests, and keeps the data
// across restarts.
// `beadhub migrate` works on the embedded database too.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type AppHandle } from "../src/app";
import { loadConfig } from "../src/config";
import { MIGRATIONS } from "../src/db/migrations";
import { createLogger } from "../src/log";

const ROOT = new URL("..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "bh-embinit-"));
const dataDir = join(work, "data");
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function start(lines: string[]): Promise<AppHandle> {
  const config = loadConfig({ BEADHUB_DATA_DIR: dataDir, HOME: work, BEADHUB_INIT_RATE_LIMIT: "1000" });
  return createApp({ config, log: createLogger("info", true, (l) => lines.push(l)) });
}

async function call(h: AppHandle, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await h.app.handle(
    new Request("http://localhost" + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
  );
  return { status: res.status, body: (await res.json()) as any };
}

const messages = (lines: string[]) => lines.map((l) => JSON.parse(l).msg as string);

test("first start initialises the data dir, logs where, serves, and the data survives a restart", async () => {
  const lines: string[] = [];
  const first = await start(lines);
  let apiKey: string;
  try {
    expect(first.deps.config.databaseUrl).toBeNull();
    expect(first.deps.config.redisUrl).toBeNull();
    const msgs = messages(lines);
    expect(msgs).toContain(`creating the embedded database in ${dataDir}`);
    // Started from a migrated cluster (issue 16): no initdb, no migrations to apply.
    const created = lines.map((l) => JSON.parse(l)).find((r) => r.msg === "embedded database created");
    expect(["cached cluster", "new cluster"]).toContain(created.from);
    expect(msgs).toContain(`embedded mode: single process only, data in ${dataDir}`);
    expect(msgs).not.toContain("migrations applied");
    const [{ n }] = await first.deps.sql`select count(*)::int as n from public.beadhub_migrations`;
    expect(n).toBe(MIGRATIONS.length);
    expect(await call(first, "GET", "/health")).toEqual({
      status: 200,
      body: { status: "ok", checks: { redis: "ok", database: "ok" } },
    });
    const init = await call(first, "POST", "/v1/init", {
      project_slug: "zero",
      alias: "alice",
      human_name: "Alice",
      repo_origin: "git@github.com:acme/zero.git",
    });
    expect(init.status).toBe(200);
    apiKey = init.body.api_key;
    expect(init.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    // The in-process Redis carries presence: the new agent is online.
    const agents = await call(first, "GET", "/v1/agents", undefined, apiKey);
    expect(agents.status).toBe(200);
    // Another app on the same directory is refused while this one runs.
    await expect(start([])).rejects.toThrow(`data directory ${dataDir} is in use by another beadhub process (pid ${process.pid})`);
  } finally {
    await first.close();
  }
  expect(existsSync(join(dataDir, "beadhub.lock"))).toBe(false);
  expect(existsSync(join(dataDir, ".s.PGSQL.5432"))).toBe(false);

  const again: string[] = [];
  const second = await start(again);
  try {
    expect(messages(again)).toContain("embedded database opened");
    expect(messages(again)).not.toContain("migrations applied");
    const me = await call(second, "GET", "/v1/auth/introspect", undefined, apiKey);
    expect(me.status).toBe(200);
    expect(me.body.alias).toBe("alice");
  } finally {
    await second.close();
  }
}, 90_000);

test("`beadhub migrate` without a database URL migrates the embedded database", async () => {
  const proc = Bun.spawn([process.execPath, `${ROOT}src/main.ts`, "migrate"], {
    cwd: work,
    env: { PATH: process.env.PATH ?? "", HOME: work, BEADHUB_DATA_DIR: dataDir },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(err).toBe("");
  expect(code).toBe(0);
  const done = out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .find((r) => r.msg === "migrations done");
  expect(done).toMatchObject({ applied: [], already_applied: MIGRATIONS.length, data_dir: dataDir });
  expect(existsSync(join(dataDir, "beadhub.lock"))).toBe(false);
}, 60_000);

test("a new data directory starts from the cached migrated cluster; a missing cache is rebuilt with progress lines", async () => {
  const { clusterCacheDir, clusterFileName } = await import("../src/embedded/cluster");
  const { openEmbeddedSql } = await import("../src/embedded/runtime");
  const cacheDir = clusterCacheDir()!;
  const cached = join(cacheDir, clusterFileName());
  expect(existsSync(cached)).toBe(true); // left by the first test's start
  expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
  const open = async (dir: string) => {
    const lines: string[] = [];
    const db = await openEmbeddedSql(dir, createLogger("info", true, (l) => lines.push(l)));
    const [{ n }] = await db.sql`select count(*)::int as n from public.beadhub_migrations`;
    await db.close();
    return { n, records: lines.map((l) => JSON.parse(l)) };
  };
  const fromCache = await open(join(work, "second"));
  expect(fromCache.n).toBe(MIGRATIONS.length);
  expect(fromCache.records.find((r) => r.msg === "embedded database created")).toMatchObject({ from: "cached cluster" });

  // Without the cache file (another user's first start, a cleaned temp dir) it is built again.
  rmSync(cached);
  const rebuilt = await open(join(work, "third"));
  expect(rebuilt.n).toBe(MIGRATIONS.length);
  const msgs = rebuilt.records.map((r) => r.msg as string);
  expect(msgs[0]).toStartWith("preparing the embedded database");
  expect(msgs).toContain("embedded database prepared");
  expect(rebuilt.records.find((r) => r.msg === "embedded database created")).toMatchObject({ from: "new cluster" });
  expect(existsSync(cached)).toBe(true);
}, 120_000);

test("a damaged cache file is dropped and the template built again: the start succeeds", async () => {
  const { clusterCacheDir, clusterFileName } = await import("../src/embedded/cluster");
  const { openEmbeddedSql } = await import("../src/embedded/runtime");
  const cached = join(clusterCacheDir()!, clusterFileName());
  writeFileSync(cached, "not a tarball");
  const lines: string[] = [];
  const db = await openEmbeddedSql(join(work, "fourth"), createLogger("info", true, (l) => lines.push(l)));
  try {
    const [{ n }] = await db.sql`select count(*)::int as n from public.beadhub_migrations`;
    expect(n).toBe(MIGRATIONS.length);
  } finally {
    await db.close();
  }
  const records = lines.map((l) => JSON.parse(l));
  expect(records.find((r) => r.level === "warning")?.msg).toBe("the cached embedded database template did not load; building it again");
  expect(records.find((r) => r.msg === "embedded database created")).toMatchObject({ from: "new cluster" });
  expect(readFileSync(cached).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // a gzip again
}, 120_000);
