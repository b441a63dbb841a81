// Zero-config start (issue 10): createApp with no database and no Redis URL
// initialises an empty data directory (a few seconds: PostgreSQL's initdb runs
// in WASM), says so, serves requests, and keeps the data across restarts.
// `beadhub migrate` works on the embedded database too.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
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
    expect(msgs).toContain(`initialising embedded database in ${dataDir} (first start takes a few seconds)`);
    expect(msgs).toContain("embedded database initialised");
    expect(msgs).toContain(`embedded mode: single process only, data in ${dataDir}`);
    expect(msgs).toContain("migrations applied");
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
