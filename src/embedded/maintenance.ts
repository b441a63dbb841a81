// Vacuum, analyze and checkpoint for the embedded database. PGlite runs
// PostgreSQL in single-user mode: no autovacuum (dead rows from updates —
// every sync rewrites issues, every heartbeat a workspace row — were never
// reclaimed, and tables were never analyzed, so the planner had no
// statistics) and no checkpointer (the WAL only grew: six full syncs of
// 10,000 issues took the data dir from 50 to 147 MB, docs/performance.md).
// Once a minute this runs through the pool, so it queues behind requests like
// any statement instead of cutting into the one session's transaction.
import type { Sql } from "../db/pool";
import type { Logger } from "../log";

/** Changed or dead rows that make a table worth vacuuming. */
export const CHANGED_ROWS = 500;

/** WAL written since the last checkpoint that makes one worth running (bytes). */
export const WAL_BYTES = 16 * 1024 * 1024;

/**
 * Vacuum and analyze the tables that need it, then checkpoint if anything was
 * vacuumed or WAL_BYTES were written: single-user mode has no checkpointer and,
 * measured, let the WAL pass max_wal_size (101 MB of WAL against a 64 MB limit).
 * Returns the vacuumed tables.
 */
export async function vacuumChanged(sql: Sql, threshold = CHANGED_ROWS): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select quote_ident(schemaname) || '.' || quote_ident(relname) as name
    from pg_stat_user_tables
    where n_dead_tup >= ${threshold} or n_mod_since_analyze >= ${threshold}
    order by 1`;
  const names = rows.map((r) => r.name);
  // Names come from the catalog, quoted by PostgreSQL itself.
  if (names.length > 0) await sql.unsafe(`vacuum (analyze) ${names.join(", ")}`);
  const [wal] = await sql<{ bytes: string }[]>`
    select pg_current_wal_lsn() - redo_lsn as bytes from pg_control_checkpoint()`;
  if (names.length > 0 || Number(wal!.bytes) >= WAL_BYTES) await sql`checkpoint`;
  return names;
}

/** Run vacuumChanged every `everyMs` until the returned stop function is called. */
export function startMaintenance(sql: Sql, log: Logger, everyMs = 60_000): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    const started = performance.now();
    running = vacuumChanged(sql)
      .then((tables) => {
        if (tables.length) log.debug("embedded maintenance", { vacuumed: tables, ms: Math.round(performance.now() - started) });
      })
      .catch((err) => log.warning("embedded maintenance failed", { error: (err as Error).message }))
      .finally(() => {
        running = null;
      });
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
