// The embedded PostgreSQL of zero-config mode (issue 10): PGlite (PostgreSQL 18
// compiled to WASM, in this process) served over the wire protocol on a
// private unix socket, so postgres.js and the migrations run unchanged.
// PGlite has one backend session: the socket server takes one connection and
// the pool must be opened with max 1 (docs/platform.md#one-pglite-session).
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { Logger } from "../log";
import { TRGM_COPY, pgliteAssets } from "./assets";
import { forgetCachedCluster, progress, seedCluster } from "./cluster";
import { lockDataDir } from "./lock";
import { pgliteTuning } from "./tuning";

/** postgres.js derives the socket file name from the port: <dir>/.s.PGSQL.5432. */
const SOCKET_NAME = ".s.PGSQL.5432";
/** sun_path holds 108 bytes; keep a margin. */
const MAX_SOCKET_PATH = 100;

export interface EmbeddedPostgres {
  dataDir: string;
  /** Directory holding the unix socket: pass it as postgres.js `host`. */
  socketDir: string;
  /** Connection URL to use together with `host: socketDir`. */
  url: string;
  /** True when this start created the database. */
  created: boolean;
  stop(): Promise<void>;
}

/** The socket lives in the data dir unless that path is too long for a unix socket. */
function socketDirFor(dataDir: string): string {
  if (join(dataDir, SOCKET_NAME).length <= MAX_SOCKET_PATH) return dataDir;
  const id = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `beadhub-${id}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Open (creating if needed) the database in `dataDir` and serve it. Refuses
 * with DataDirLockedError when another process holds the directory.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedPostgres> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = lockDataDir(dataDir);
  const pgdata = join(dataDir, "pgdata");
  const socketDir = socketDirFor(dataDir);
  const socketPath = join(socketDir, SOCKET_NAME);
  let db: PGlite | null = null;
  try {
    const created = !existsSync(join(pgdata, "PG_VERSION"));
    // An interrupted first start leaves a partial cluster behind: start over.
    if (created && existsSync(pgdata) && readdirSync(pgdata).length > 0) rmSync(pgdata, { recursive: true, force: true });
    const started = performance.now();
    // A new directory starts from a migrated cluster (src/embedded/cluster.ts), never initdb.
    let seed = created ? await seedCluster(log) : null;
    const open = async () => {
      const done = progress(log, created ? `creating the embedded database in ${dataDir}` : `opening the embedded database in ${dataDir}`, {
        data_dir: dataDir,
        ...(seed ? { from: seed.from } : {}),
      });
      try {
        return await PGlite.create({
          dataDir: pgdata,
          ...pgliteAssets(dataDir),
          ...pgliteTuning(),
          ...(seed ? { loadDataDir: seed.blob } : {}),
        });
      } finally {
        done();
      }
    };
    try {
      db = await open();
    } catch (err) {
      // A damaged cache file must not block every later first start: drop it and build anew.
      if (seed?.from !== "cached cluster") throw err;
      log.warning("the cached embedded database template did not load; building it again", { error: (err as Error).message });
      forgetCachedCluster();
      rmSync(pgdata, { recursive: true, force: true });
      seed = await seedCluster(log);
      db = await open();
    }
    rmSync(join(dataDir, TRGM_COPY), { force: true }); // read during create, not needed after
    // Timestamps are parsed as UTC text (src/db/pool.ts); PGlite ignores the
    // startup parameters postgres.js sends, so set it on the one session.
    await db.exec("set time zone 'UTC'");
    const seconds = Math.round(performance.now() - started) / 1000;
    log.info(created ? "embedded database created" : "embedded database opened", {
      data_dir: dataDir,
      seconds,
      ...(seed ? { from: seed.from } : {}),
    });
    // We hold the lock, so a socket file left here is from a crashed run.
    rmSync(socketPath, { force: true });
    const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
    await server.start();
    // PGlite trusts every client: only this user may reach the socket.
    chmodSync(socketPath, 0o600);
    const opened = db;
    let stopping: Promise<void> | null = null;
    return {
      dataDir,
      socketDir,
      url: "postgres://postgres@localhost/postgres",
      created,
      stop() {
        stopping ??= (async () => {
          try {
            await server.stop();
            await opened.close();
          } finally {
            rmSync(socketPath, { force: true });
            release();
          }
        })();
        return stopping;
      },
    };
  } catch (err) {
    await db?.close().catch(() => {});
    rmSync(join(dataDir, TRGM_COPY), { force: true });
    release();
    throw new Error(`cannot start the embedded database in ${dataDir}: ${(err as Error).message}`);
  }
}
