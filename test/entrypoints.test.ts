// Every entry point (`make run`, `make migrate`, `beadhub serve`, `beadhub
// migrate`) answers every bad configuration with one line naming the variable
// and a non-zero exit, before touching any database or data directory; the
// start log states mode, bind address, redacted targets and where each
// setting came from (issue 17).
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatabaseFromTemplate, dropDatabase, urlFor } from "./support/db";
import { REDIS_URL } from "./support/harness";

const ROOT = new URL("..", import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), "beadhub-entry-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A port something listens on for the whole file (the busy-port case). */
const busy = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
afterAll(() => busy.stop(true));

const ENTRY_POINTS: Record<string, string[]> = {
  "beadhub serve": [process.execPath, "src/main.ts", "serve"],
  "beadhub migrate": [process.execPath, "src/main.ts", "migrate"],
  "make run": ["make", "--no-print-directory", "run"],
  "make migrate": ["make", "--no-print-directory", "migrate"],
};

/** A clean environment: nothing from the developer's shell switches the mode. */
function env(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, BEADHUB_DATA_DIR: join(home, "data"), ...extra };
}

function run(cmd: string[], extra: Record<string, string>) {
  const p = Bun.spawnSync(cmd, { cwd: ROOT, env: env(extra), stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  const out = (p.stdout.toString() + p.stderr.toString())
    .split("\n")
    // make's own "make: *** [Makefile:…] Error 2" is not ours to shape.
    .filter((l) => l.trim() !== "" && !l.startsWith("make: ") && !l.startsWith("make["));
  return { code: p.exitCode, lines: out };
}

const SECRET = "s3cret-pw";
const BAD: { name: string; env: Record<string, string>; variable: string; says: RegExp; serveOnly?: boolean }[] = [
  { name: "no database name", env: { BEADHUB_DATABASE_URL: "postgres://postgres@127.0.0.1:5432" }, variable: "BEADHUB_DATABASE_URL", says: /no database name/ },
  { name: "empty database name", env: { BEADHUB_DATABASE_URL: "postgres://postgres@127.0.0.1:5432/" }, variable: "BEADHUB_DATABASE_URL", says: /no database name/ },
  { name: "the postgres database", env: { DATABASE_URL: `postgres://postgres:${SECRET}@127.0.0.1:5432/postgres` }, variable: "DATABASE_URL", says: /"postgres" database/ },
  { name: "a template database", env: { BEADHUB_DATABASE_URL: "postgres://postgres@127.0.0.1:5432/template1" }, variable: "BEADHUB_DATABASE_URL", says: /"template1" database/ },
  { name: "mysql URL", env: { BEADHUB_DATABASE_URL: `mysql://root:${SECRET}@127.0.0.1/x` }, variable: "BEADHUB_DATABASE_URL", says: /schemes postgres/ },
  { name: "not a URL", env: { BEADHUB_DATABASE_URL: "beadhub" }, variable: "BEADHUB_DATABASE_URL", says: /not a valid URL/ },
  { name: "bad Redis URL", env: { BEADHUB_DATABASE_URL: "postgres://postgres@127.0.0.1:5432/bh_never", BEADHUB_REDIS_URL: "http://x" }, variable: "BEADHUB_REDIS_URL", says: /schemes redis/ },
  { name: "port not a number", env: { BEADHUB_PORT: "eighty" }, variable: "BEADHUB_PORT", says: /integer/ },
  { name: "port out of range", env: { BEADHUB_PORT: "70000" }, variable: "BEADHUB_PORT", says: /between/ },
  { name: "bad log level", env: { BEADHUB_LOG_LEVEL: "loud" }, variable: "BEADHUB_LOG_LEVEL", says: /one of/ },
  { name: "metrics switch", env: { BEADHUB_METRICS: "maybe" }, variable: "BEADHUB_METRICS", says: /boolean/ },
  { name: "host that is no address", env: { BEADHUB_HOST: "999.1.1.1" }, variable: "BEADHUB_HOST", says: /cannot be listened on/, serveOnly: true },
  { name: "host of another machine", env: { BEADHUB_HOST: "192.0.2.1" }, variable: "BEADHUB_HOST", says: /not an address of this machine/, serveOnly: true },
  { name: "host with spaces", env: { BEADHUB_HOST: "local host" }, variable: "BEADHUB_HOST", says: /IP address or host name/ },
  { name: "busy port", env: { BEADHUB_HOST: "127.0.0.1", BEADHUB_PORT: String(busy.port) }, variable: "BEADHUB_PORT", says: /already in use/, serveOnly: true },
];

describe("a bad setting is one line and a non-zero exit, from every entry point", () => {
  for (const [entry, cmd] of Object.entries(ENTRY_POINTS)) {
    for (const bad of BAD) {
      if (bad.serveOnly && entry.endsWith("migrate")) continue;
      test(`${entry}: ${bad.name}`, () => {
        const { code, lines } = run(cmd, bad.env);
        expect(code).not.toBe(0);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toStartWith(`configuration error: ${bad.variable} `);
        expect(lines[0]).toMatch(bad.says);
        expect(lines[0]).not.toContain(SECRET);
        // Nothing was started: no embedded data directory appeared.
        expect(existsSync(join(home, "data"))).toBe(false);
      });
    }
  }
});

test("an unreachable PostgreSQL is one line naming the target and the variable", () => {
  const { code, lines } = run(ENTRY_POINTS["beadhub serve"], {
    BEADHUB_DATABASE_URL: `postgres://postgres:${SECRET}@127.0.0.1:1/beadhub_nowhere`,
    BEADHUB_HOST: "127.0.0.1",
    BEADHUB_PORT: String(20000 + Math.floor(Math.random() * 20000)),
  });
  expect(code).toBe(1);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^startup failed: cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/beadhub_nowhere: .*\(PostgreSQL from BEADHUB_DATABASE_URL, Redis from default\)$/);
});

describe("a good start", () => {
  test("serve --create-database creates a missing database and logs mode, bind address, targets and sources", async () => {
    const name = `beadhub_entry_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const port = 20000 + Math.floor(Math.random() * 20000);
    const proc = Bun.spawn([process.execPath, "src/main.ts", "serve", "--create-database"], {
      cwd: ROOT,
      env: env({
        DATABASE_URL: urlFor(name),
        REDIS_URL: REDIS_URL,
        BEADHUB_REDIS_PREFIX: `test:${name}:`,
        BEADHUB_PORT: String(port),
        BEADHUB_SHUTDOWN_GRACE_SECONDS: "0",
      }),
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      let out = "";
      const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
      const deadline = Date.now() + 20_000;
      while (!out.includes('"msg":"listening"') && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        out += new TextDecoder().decode(value);
      }
      reader.releaseLock();
      const lines = out.split("\n").filter(Boolean).map((l) => JSON.parse(l));
      expect(lines.find((l) => l.msg === "database created")).toBeDefined();
      const listening = lines.find((l) => l.msg === "listening");
      expect(listening).toMatchObject({
        mode: "full",
        bind: `0.0.0.0:${port}`,
        postgres: urlFor(name),
        redis: REDIS_URL,
        sources: { database: "DATABASE_URL", redis: "REDIS_URL", host: "default (full mode)", port: "BEADHUB_PORT" },
      });
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
      await dropDatabase(name);
    }
  }, 30_000);

  test("migrate --create-database on an existing database only migrates", () => {
    return (async () => {
      const name = await createDatabaseFromTemplate();
      try {
        const { code, lines } = run([...ENTRY_POINTS["beadhub migrate"], "--create-database"], {
          BEADHUB_DATABASE_URL: urlFor(name),
        });
        expect(code).toBe(0);
        expect(lines).toHaveLength(1);
        const line = JSON.parse(lines[0]);
        expect(line).toMatchObject({ msg: "migrations done", applied: [], mode: "full", postgres: urlFor(name) });
      } finally {
        await dropDatabase(name);
      }
    })();
  });
});
