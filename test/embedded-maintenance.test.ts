// Embedded maintenance (issue 16): PGlite has no autovacuum, so tables with
// many changed rows get `vacuum (analyze)` from src/embedded/maintenance.ts.
import { afterAll, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vacuumChanged } from "../src/embedded/maintenance";
import { openEmbeddedSql } from "../src/embedded/runtime";
import { silentLogger } from "../src/log";
import { ensureEmbeddedTemplate } from "./support/embedded";

const work = mkdtempSync(join(tmpdir(), "bh-maint-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test("tables with many dead or unanalyzed rows are vacuumed and analyzed, then a checkpoint; quiet tables are left alone", async () => {
  cpSync(join(await ensureEmbeddedTemplate(), "pgdata"), join(work, "pgdata"), { recursive: true });
  const db = await openEmbeddedSql(work, silentLogger);
  try {
    const sql = db.sql;
    await vacuumChanged(sql, 1); // whatever the template left behind
    await sql`insert into aweb.projects (slug, name) select 'p' || g, 'P' || g from generate_series(1, 600) g`;
    await sql`update aweb.projects set name = name || '!'`;
    // PostgreSQL publishes a session's table counters at most once a second.
    await Bun.sleep(1100);
    await sql`select 1`;
    const stats = () =>
      sql<{ dead: number; analyzed: boolean }[]>`
        select n_dead_tup::int as dead, last_analyze is not null as analyzed
        from pg_stat_user_tables where schemaname = 'aweb' and relname = 'projects'`;
    expect((await stats())[0]).toEqual({ dead: 600, analyzed: false });
    const redo = async () => (await sql<{ lsn: string }[]>`select redo_lsn::text as lsn from pg_control_checkpoint()`)[0]!.lsn;
    const before = await redo();
    expect(await vacuumChanged(sql)).toEqual(["aweb.projects"]);
    expect((await stats())[0]).toEqual({ dead: 0, analyzed: true });
    expect(await redo()).not.toBe(before); // and a checkpoint followed
    expect(await vacuumChanged(sql)).toEqual([]);
  } finally {
    await db.close();
  }
}, 60_000);
