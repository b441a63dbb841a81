// Embedded mode (issue 10): configuration, the data-directory lock, and the
// embedded PostgreSQL served to postgres.js over a unix socket. Databases here
// are copies of the migrated template directory (test/support/embedded.ts);
// the first start of an empty directory is covered in embedded-init.test.ts.
import { afterAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, resolveDataDir } from "../src/config";
import { DataDirLockedError, LOCK_FILE, lockDataDir } from "../src/embedded/lock";
import { startEmbeddedPostgres } from "../src/embedded/postgres";
import { openEmbeddedSql } from "../src/embedded/runtime";
import { createLogger, silentLogger } from "../src/log";
import { ensureEmbeddedTemplate } from "./support/embedded";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "bh-embt-"));
  dirs.push(d);
  return d;
}

/** A data directory holding a migrated database (a copy of the template). */
async function migratedDir(): Promise<string> {
  const template = await ensureEmbeddedTemplate();
  const d = tempDir();
  cpSync(join(template, "pgdata"), join(d, "pgdata"), { recursive: true });
  return d;
}

describe("config", () => {
  test("no database URL and no Redis URL: both embedded (null)", () => {
    const c = loadConfig({ HOME: "/home/u" });
    expect(c.databaseUrl).toBeNull();
    expect(c.redisUrl).toBeNull();
  });

  test("a database URL keeps the contract's Redis default", () => {
    expect(loadConfig({ BEADHUB_DATABASE_URL: "postgres://h/db" }).redisUrl).toBe("redis://localhost:6379/0");
    expect(loadConfig({ DATABASE_URL: "postgres://h/db" }).redisUrl).toBe("redis://localhost:6379/0");
  });

  test("a Redis URL without a database URL is used as given", () => {
    const c = loadConfig({ REDIS_URL: "redis://r:1/2" });
    expect(c.databaseUrl).toBeNull();
    expect(c.redisUrl).toBe("redis://r:1/2");
  });

  test("data dir: BEADHUB_DATA_DIR, else $XDG_DATA_HOME/beadhub, else ~/.local/share/beadhub", () => {
    expect(resolveDataDir({ BEADHUB_DATA_DIR: "/srv/bh", XDG_DATA_HOME: "/x", HOME: "/home/u" })).toBe("/srv/bh");
    expect(resolveDataDir({ BEADHUB_DATA_DIR: "rel/dir" })).toBe(join(process.cwd(), "rel/dir"));
    expect(resolveDataDir({ XDG_DATA_HOME: "/x/data", HOME: "/home/u" })).toBe("/x/data/beadhub");
    // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
    expect(resolveDataDir({ XDG_DATA_HOME: "x", HOME: "/home/u" })).toBe("/home/u/.local/share/beadhub");
    expect(resolveDataDir({ HOME: "/home/u" })).toBe("/home/u/.local/share/beadhub");
    expect(loadConfig({ BEADHUB_DATA_DIR: "/d" }).dataDir).toBe("/d");
  });
});

describe("data directory lock", () => {
  test("a second holder is refused with one line naming the directory and the pid", () => {
    const d = tempDir();
    const release = lockDataDir(d);
    expect(readFileSync(join(d, LOCK_FILE), "utf8")).toStartWith(`${process.pid} `);
    let error: unknown;
    try {
      lockDataDir(d);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataDirLockedError);
    const message = (error as Error).message;
    expect(message).toContain(`data directory ${d} is in use by another beadhub process (pid ${process.pid})`);
    expect(message.includes("\n")).toBe(false);
    release();
    expect(existsSync(join(d, LOCK_FILE))).toBe(false);
    lockDataDir(d)(); // free again
  });

  test("a lock whose process is dead is taken over", () => {
    const d = tempDir();
    const dead = Bun.spawnSync(["true"]).pid; // exited and reaped
    writeFileSync(join(d, LOCK_FILE), `${dead} 123\n`);
    const release = lockDataDir(d);
    expect(readFileSync(join(d, LOCK_FILE), "utf8")).toStartWith(`${process.pid} `);
    release();
  });

  test("a lock naming this pid but not held here (container restart) is stale", () => {
    const d = tempDir();
    writeFileSync(join(d, LOCK_FILE), `${process.pid} 1\n`);
    lockDataDir(d)();
  });

  test("a live pid with another start time is a reused pid: stale", () => {
    const d = tempDir();
    writeFileSync(join(d, LOCK_FILE), `${process.ppid} 1\n`);
    lockDataDir(d)();
  });

  test("a live holder with a matching start time is respected", () => {
    const d = tempDir();
    const stat = readFileSync(`/proc/${process.ppid}/stat`, "utf8");
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    writeFileSync(join(d, LOCK_FILE), `${process.ppid} ${start}\n`);
    expect(() => lockDataDir(d)).toThrow(`(pid ${process.ppid})`);
  });
});

describe("embedded PostgreSQL", () => {
  test("serves postgres.js on a private socket; UTC timestamps with six digits; pg_trgm; refuses a second open", async () => {
    const d = await migratedDir();
    // A crash leaves the socket file behind: it must not stop the next start.
    writeFileSync(join(d, ".s.PGSQL.5432"), "");
    const lines: string[] = [];
    const db = await openEmbeddedSql(d, createLogger("info", true, (l) => lines.push(l)));
    try {
      expect(db.postgres.created).toBe(false);
      expect(lines.some((l) => JSON.parse(l).msg === "embedded database opened")).toBe(true);
      expect(statSync(join(d, ".s.PGSQL.5432")).mode & 0o777).toBe(0o600);
      const [row] = await db.sql<{ ts: string; tz: string; trgm: number }[]>`
        select '2026-02-07 11:39:32.16+00'::timestamptz as ts, current_setting('TimeZone') as tz,
               (select count(*)::int from pg_extension where extname = 'pg_trgm') as trgm`;
      expect(row).toEqual({ ts: "2026-02-07T11:39:32.160000+00:00", tz: "UTC", trgm: 1 });
      const [now] = await db.sql<{ now: string }[]>`select now() as now`;
      expect(now.now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
      // The same migrations ran: the schemas are there.
      const schemas = await db.sql<{ s: string }[]>`
        select nspname as s from pg_namespace where nspname in ('aweb', 'server', 'beads') order by 1`;
      expect(schemas.map((r) => r.s)).toEqual(["aweb", "beads", "server"]);
      // Transactions work over the single connection (always through tx).
      const out = await db.sql.begin(async (tx) => {
        await tx`create table public.t (n int)`;
        await tx`insert into public.t values (1), (2)`;
        return tx<{ c: number }[]>`select count(*)::int as c from public.t`;
      });
      expect(out[0].c).toBe(2);
      // Concurrent queries queue on the one connection instead of failing.
      const many = await Promise.all(Array.from({ length: 20 }, (_, i) => db.sql<{ i: number }[]>`select ${i}::int as i`));
      expect(many.map((r) => r[0].i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      await expect(startEmbeddedPostgres(d, silentLogger)).rejects.toBeInstanceOf(DataDirLockedError);
    } finally {
      await db.close();
    }
    expect(existsSync(join(d, LOCK_FILE))).toBe(false);
    expect(existsSync(join(d, ".s.PGSQL.5432"))).toBe(false);
    // Reopened: the data is still there.
    const again = await openEmbeddedSql(d, silentLogger);
    try {
      const [r] = await again.sql<{ c: number }[]>`select count(*)::int as c from public.t`;
      expect(r.c).toBe(2);
    } finally {
      await again.close();
    }
  }, 60_000);

  test("a data dir too deep for a unix socket path gets its socket in the temp dir", async () => {
    const template = await ensureEmbeddedTemplate();
    const d = join(tempDir(), "x".repeat(60), "y".repeat(40));
    cpSync(join(template, "pgdata"), join(d, "pgdata"), { recursive: true });
    const db = await openEmbeddedSql(d, silentLogger);
    try {
      expect(db.postgres.socketDir.startsWith(tmpdir())).toBe(true);
      expect(db.postgres.socketDir).not.toBe(d);
      const [r] = await db.sql<{ one: number }[]>`select 1::int as one`;
      expect(r.one).toBe(1);
    } finally {
      await db.close();
    }
    expect(existsSync(join(db.postgres.socketDir, ".s.PGSQL.5432"))).toBe(false);
  }, 60_000);
});
