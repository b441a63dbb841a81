// What createApp and `beadhub migrate` need in embedded mode: a postgres.js
// pool on the embedded database and, without a Redis URL, the in-process Redis.
import type Redis from "ioredis";
import type { Config } from "../config";
import { openSql, type Sql } from "../db/pool";
import type { Logger } from "../log";
import { createMemoryRedis } from "../redis/memory";
import { startMaintenance } from "./maintenance";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./postgres";

export interface EmbeddedSql {
  sql: Sql;
  postgres: EmbeddedPostgres;
  /** Ends the pool, then stops the database and releases the data directory. */
  close(): Promise<void>;
}

export async function openEmbeddedSql(dataDir: string, log: Logger): Promise<EmbeddedSql> {
  const postgres = await startEmbeddedPostgres(dataDir, log);
  // One connection: PGlite is a single session, so a second connection would
  // interleave its statements with the first one's transaction (docs/platform.md#one-pglite-session).
  const sql = openSql(postgres.url, { max: 1, host: postgres.socketDir });
  const stopMaintenance = startMaintenance(sql, log);
  return {
    sql,
    postgres,
    async close() {
      await stopMaintenance().catch(() => {});
      await sql.end({ timeout: 5 }).catch(() => {});
      await postgres.stop();
    },
  };
}

/** The in-process Redis, used whenever no Redis URL is configured. */
export function openMemoryRedis(config: Readonly<Config>): Redis {
  return createMemoryRedis({ keyPrefix: config.redisPrefix });
}
