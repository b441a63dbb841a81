// The seed of a new embedded database (issue 16): an initialised cluster with
// every migration applied, packed as a tarball that PGlite unpacks instead of
// running initdb in WASM (which took 6-29 s and peaked near 1 GB here, since
// PGlite runs initdb in a second instance). Where it comes from, fastest first:
//   1. the compiled binary (`make build` embeds one, src/embedded/build-cluster.ts);
//   2. a per-user cache file, keyed by PGlite version, migrations and settings,
//      so `bun src/main.ts serve` on a new data directory pays the build once;
//   3. built now (in memory, then cached), with progress lines while it runs.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import pglitePackage from "../../node_modules/@electric-sql/pglite/package.json" with { type: "json" };
import { migrate } from "../db/migrate";
import { MIGRATIONS } from "../db/migrations";
import { openSql } from "../db/pool";
import type { Logger } from "../log";
import { TRGM_COPY, pgliteAssets } from "./assets";
import { pgliteTuning, TUNING_ID } from "./tuning";

/** Changes whenever a cluster built by another beadhub would differ. */
export function clusterKey(): string {
  const hash = createHash("sha256").update(`pglite ${pglitePackage.version}\n${TUNING_ID}\n`);
  for (const m of MIGRATIONS) hash.update(`${m.schema}/${m.name}\n${m.sql}\n`);
  return hash.digest("hex").slice(0, 16);
}

/** File name the build embeds and the cache uses. */
export const clusterFileName = () => `pglite-cluster-${clusterKey()}.tar.gz`;

/**
 * The migrated cluster `make build` embedded (Bun.embeddedFiles; empty under
 * `bun run`), if it matches this build's key.
 */
export function embeddedCluster(): Blob | null {
  const prefix = `pglite-cluster-${clusterKey()}`;
  const files = Bun.embeddedFiles as ReadonlyArray<Blob & { name?: string }>;
  return files.find((f) => f.name?.startsWith(prefix)) ?? null;
}

/**
 * The cache directory: private to this user (0700, owned by us, not a
 * symlink) — a cluster planted by someone else would be served as our data.
 */
export function clusterCacheDir(): string | null {
  const dir = join(tmpdir(), `beadhub-cache-${process.getuid?.() ?? "user"}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.isSymbolicLink() || (process.getuid && st.uid !== process.getuid())) return null;
    chmodSync(dir, 0o700);
    return dir;
  } catch {
    return null;
  }
}

/**
 * Log `what` now, then every `everyMs` how long it has been running, until
 * the returned function is called: a slow step is never silent.
 */
export function progress(log: Logger, what: string, fields: Record<string, unknown> = {}, everyMs = 2000): () => number {
  const started = performance.now();
  log.info(what, fields);
  const seconds = () => Math.round(performance.now() - started) / 1000;
  const timer = setInterval(() => log.info(`${what} (${Math.round(seconds())} s so far)`, fields), everyMs);
  return () => {
    clearInterval(timer);
    return seconds();
  };
}

/** Build a migrated cluster in memory and return it as a gzipped tarball. */
export async function buildMigratedCluster(workDir: string): Promise<Blob> {
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  // 1 MB WAL segments instead of 16: the tarball a first start unpacks (and
  // holds in memory while it does) shrinks from ~39 MB to ~24 MB.
  const db = await PGlite.create({ ...pgliteAssets(workDir), ...pgliteTuning(), initDbStartParams: ["--wal-segsize=1"] });
  rmSync(join(workDir, TRGM_COPY), { force: true });
  const socketPath = join(workDir, ".s.PGSQL.5432");
  rmSync(socketPath, { force: true });
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
  try {
    await server.start();
    chmodSync(socketPath, 0o600);
    const sql = openSql("postgres://postgres@localhost/postgres", { max: 1, host: workDir });
    try {
      await migrate(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
    await server.stop();
    // A checkpoint first, so the tarball holds no WAL to replay at first start.
    await db.exec("checkpoint");
    return await db.dumpDataDir("gzip");
  } finally {
    await server.stop().catch(() => {});
    await db.close().catch(() => {});
    rmSync(socketPath, { force: true });
  }
}

/** Remove this build's cache file (it failed to load). */
export function forgetCachedCluster(): void {
  const dir = clusterCacheDir();
  if (dir) rmSync(join(dir, clusterFileName()), { force: true });
}

export interface Seed {
  blob: Blob;
  from: "embedded cluster" | "cached cluster" | "new cluster";
}

/** The migrated cluster a new data directory starts from (see the header). */
export async function seedCluster(log: Logger): Promise<Seed> {
  const embedded = embeddedCluster();
  if (embedded) return { blob: embedded, from: "embedded cluster" };
  const dir = clusterCacheDir();
  const file = dir ? join(dir, clusterFileName()) : null;
  if (file && existsSync(file)) {
    // Read now: a cache file removed meanwhile (temp cleaner) means "build it", not a failed start.
    try {
      return { blob: new Blob([readFileSync(file)]), from: "cached cluster" };
    } catch {
      /* gone: build below */
    }
  }
  const done = progress(log, "preparing the embedded database template (once per beadhub version; a few seconds)", {
    ...(file ? { cache: file } : {}),
  });
  const work = join(dir ?? tmpdir(), `build-${process.pid}-${Date.now()}`);
  try {
    const blob = await buildMigratedCluster(work);
    if (file) {
      // Written aside and renamed: a reader never sees half a file. A cache
      // that cannot be written (full disk) costs the next start time, not this one.
      const partial = `${file}.${process.pid}.partial`;
      try {
        writeFileSync(partial, new Uint8Array(await blob.arrayBuffer()), { mode: 0o600 });
        renameSync(partial, file);
      } catch (err) {
        rmSync(partial, { force: true });
        log.warning("could not cache the embedded database template", { cache: file, error: (err as Error).message });
      }
    }
    log.info("embedded database prepared", { seconds: done() });
    return { blob, from: "new cluster" };
  } finally {
    done();
    rmSync(work, { recursive: true, force: true });
  }
}
