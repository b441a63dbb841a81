// Export and import of a whole install (issue 16): the way from zero-config
// mode to PostgreSQL, and the backup/restore of either mode. Export reads every
// table of the exported schemas in one read-only REPEATABLE READ transaction
// (one consistent snapshot, while the server keeps running when it is full
// mode). Import loads into an empty database in one transaction: all or nothing.
// Rows keep their ids, timestamps and API key hashes, so agents keep working.
import { Value } from "@sinclair/typebox/value";
import { migrate } from "../db/migrate";
import type { Db, Sql } from "../db/pool";
import { VERSION } from "../version";
import { countRows, hasRows, insertRows, readCatalog, readMigrations, readRows, updateRows, type CatalogTable } from "./data";
import {
  BackupError,
  ExportHeader,
  ExportTrailer,
  FORMAT,
  FORMAT_VERSION,
  type TableCount,
} from "./model";

const BATCH = 1000;

export interface BackupDeps {
  sql: Sql;
}

export interface LoadPlan {
  /** Tables in an order where every referenced table comes first. */
  order: string[];
  /**
   * Nullable foreign-key columns left empty on insert and set afterwards:
   * the ones that close a cycle (server.projects ↔ server.project_policies)
   * or point into their own table.
   */
  deferred: Map<string, string[]>;
}

/** Order tables by their foreign keys, breaking cycles at nullable columns. */
export function planLoad(tables: Map<string, CatalogTable>): LoadPlan {
  const deferred = new Map<string, string[]>();
  const defer = (t: CatalogTable, columns: string[]) => {
    if (!columns.every((c) => t.nullable.has(c))) {
      throw new BackupError(`cannot order ${t.name}: a foreign key on ${columns.join(", ")} is not nullable and closes a cycle`);
    }
    deferred.set(t.name, [...new Set([...(deferred.get(t.name) ?? []), ...columns])]);
  };
  const pending = new Map<string, { table: string; columns: string[] }[]>();
  for (const t of tables.values()) {
    const edges = [];
    for (const r of t.references) {
      if (r.table === t.name) defer(t, r.columns);
      else edges.push(r);
    }
    pending.set(t.name, edges);
  }
  const order: string[] = [];
  const placed = new Set<string>();
  while (pending.size > 0) {
    const ready = [...pending.keys()].filter((n) => pending.get(n)!.every((e) => placed.has(e.table))).sort();
    if (ready.length > 0) {
      for (const n of ready) {
        order.push(n);
        placed.add(n);
        pending.delete(n);
      }
      continue;
    }
    // A cycle: walk unplaced references from the first remaining table until a
    // table repeats (every remaining table has one, or it would be ready), then
    // defer the first nullable foreign key on that cycle.
    const names = [...pending.keys()].sort();
    const path: string[] = [];
    let at = names[0]!;
    while (!path.includes(at)) {
      path.push(at);
      at = pending.get(at)!.find((e) => !placed.has(e.table))!.table;
    }
    const cycle = path.slice(path.indexOf(at));
    let broken = false;
    for (const n of cycle) {
      const t = tables.get(n)!;
      const edges = pending.get(n)!;
      const i = edges.findIndex((e) => cycle.includes(e.table) && e.columns.every((c) => t.nullable.has(c)));
      if (i >= 0) {
        defer(t, edges[i]!.columns);
        edges.splice(i, 1);
        broken = true;
        break;
      }
    }
    if (!broken) throw new BackupError(`cannot order tables ${cycle.join(", ")}: a foreign-key cycle without a nullable column`);
  }
  return { order, deferred };
}

/** Write the whole database as an export file, line by line, to `write`. */
export async function exportDatabase(
  deps: BackupDeps,
  source: string,
  write: (line: string) => Promise<void> | void,
): Promise<TableCount[]> {
  return deps.sql.begin("isolation level repeatable read read only", async (tx) => {
    const catalog = await readCatalog(tx);
    if (catalog.size === 0) throw new BackupError("the database has no beadhub tables: nothing to export (was it ever started?)");
    const plan = planLoad(catalog);
    const counts: TableCount[] = [];
    for (const name of plan.order) counts.push({ name, rows: await countRows(tx, name) });
    const header: ExportHeader = {
      format: FORMAT,
      version: FORMAT_VERSION,
      beadhub_version: VERSION,
      exported_at: new Date().toISOString(),
      source,
      migrations: await readMigrations(tx),
      tables: counts.map(({ name, rows }) => ({ name, columns: catalog.get(name)!.columns, rows })),
    };
    await write(JSON.stringify(header));
    let total = 0;
    for (const { name, rows } of counts) {
      let written = 0;
      await readRows(tx, catalog.get(name)!, BATCH, async (batch) => {
        written += batch.length;
        await write(batch.join("\n"));
      });
      // The snapshot makes this impossible; a mismatch would be a bug worth stopping on.
      if (written !== rows) throw new BackupError(`${name}: counted ${rows} rows but read ${written}`);
      total += written;
    }
    const trailer: ExportTrailer = { end: FORMAT, rows: total };
    await write(JSON.stringify(trailer));
    return counts;
  });
}

function parseLine<T>(line: string | undefined, what: string): T {
  if (line === undefined) throw new BackupError(`the file ends early (expected ${what}): incomplete export`);
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new BackupError(`not a beadhub export file (${what} is not JSON)`);
  }
}

/**
 * Load an export file (its lines, in order) into an empty database: migrates
 * it first, refuses if any table has a row or the file needs migrations this
 * build does not have, then inserts every row in one transaction.
 */
export async function importDatabase(deps: BackupDeps, lines: AsyncIterator<string>): Promise<TableCount[]> {
  const next = async (what: string) => {
    const r = await lines.next();
    return r.done ? undefined : r.value;
  };
  const header = parseLine<ExportHeader>(await next("the header"), "the header");
  if (header?.format !== FORMAT) throw new BackupError("not a beadhub export file (no beadhub-export header)");
  if (header.version > FORMAT_VERSION) {
    throw new BackupError(`export format version ${header.version} is newer than this beadhub reads (${FORMAT_VERSION}): upgrade beadhub`);
  }
  if (!Value.Check(ExportHeader, header)) throw new BackupError("not a beadhub export file (malformed header)");

  await migrate(deps.sql);
  const catalog = await readCatalog(deps.sql);
  for (const name of catalog.keys()) {
    if (await hasRows(deps.sql, name)) {
      throw new BackupError(`the target database is not empty (${name} has rows): import loads into an empty database only`);
    }
  }
  const applied = new Map((await readMigrations(deps.sql)).map((m) => [`${m.schema_name}/${m.name}`, m.checksum]));
  for (const m of header.migrations) {
    const here = applied.get(`${m.schema_name}/${m.name}`);
    if (here === undefined) throw new BackupError(`the export needs migration ${m.schema_name}/${m.name}, which this beadhub does not have: upgrade beadhub`);
    if (here !== m.checksum) throw new BackupError(`migration ${m.schema_name}/${m.name} differs between the export and this beadhub`);
  }
  for (const t of header.tables) {
    const target = catalog.get(t.name);
    if (!target) throw new BackupError(`the export has table ${t.name}, which this database does not have`);
    const missing = t.columns.filter((c) => !target.columns.includes(c));
    if (missing.length) throw new BackupError(`the export has columns ${missing.join(", ")} of ${t.name}, which this database does not have`);
  }
  const plan = planLoad(catalog);

  return deps.sql.begin(async (tx) => {
    const later: { table: CatalogTable; columns: string[]; rows: string[] }[] = [];
    let total = 0;
    for (const t of header.tables) {
      const target = catalog.get(t.name)!;
      const deferred = (plan.deferred.get(t.name) ?? []).filter((c) => t.columns.includes(c));
      const columns = t.columns.filter((c) => !deferred.includes(c));
      const held: string[] = [];
      let batch: string[] = [];
      const flush = async () => {
        if (batch.length) await insertRows(tx, t.name, columns, batch);
        batch = [];
      };
      for (let i = 0; i < t.rows; i++) {
        const line = await next(`row ${i + 1} of ${t.name}`);
        const row = parseLine<unknown>(line, `row ${i + 1} of ${t.name}`);
        if (row === null || typeof row !== "object" || Array.isArray(row)) throw new BackupError(`row ${i + 1} of ${t.name} is not an object`);
        batch.push(line!);
        if (deferred.length) held.push(line!);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      if (deferred.length && held.length) later.push({ table: target, columns: deferred, rows: held });
      total += t.rows;
    }
    const trailer = parseLine<ExportTrailer>(await next("the trailer"), "the trailer");
    if (!Value.Check(ExportTrailer, trailer) || trailer.rows !== total) throw new BackupError("the file does not end with a matching trailer: incomplete or edited export");
    if ((await next("the end")) !== undefined) throw new BackupError("the file has lines after its trailer: not a beadhub export file");
    for (const d of later) {
      for (let i = 0; i < d.rows.length; i += BATCH) {
        await updateRows(tx, d.table.name, d.table.primaryKey, d.columns, d.rows.slice(i, i + BATCH));
      }
    }
    const counts: TableCount[] = [];
    for (const t of header.tables) {
      const rows = await countRows(tx as Db, t.name);
      if (rows !== t.rows) throw new BackupError(`${t.name}: the file has ${t.rows} rows but ${rows} were loaded`);
      counts.push({ name: t.name, rows });
    }
    return counts;
  });
}
