// SQL of export and import. Table and column names come from the catalog of
// the database itself (never from the file unchecked), quoted as identifiers.
import type { Db } from "../db/pool";
import { EXPORTED_SCHEMAS, type ExportMigration } from "./model";

export interface CatalogTable {
  /** "schema.table" */
  name: string;
  columns: string[];
  nullable: Set<string>;
  primaryKey: string[];
  /** Foreign keys to other tables of the exported schemas: referenced table + local columns. */
  references: { table: string; columns: string[] }[];
}

/** `"a"."b"` for "a.b"; `"c"` for "c". */
export function ident(name: string): string {
  return name
    .split(".")
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join(".");
}

export async function readCatalog(db: Db): Promise<Map<string, CatalogTable>> {
  const schemas = [...EXPORTED_SCHEMAS];
  const columns = await db<{ name: string; column: string; nullable: boolean }[]>`
    select c.table_schema || '.' || c.table_name as name, c.column_name as column, c.is_nullable = 'YES' as nullable
    from information_schema.columns c
    join information_schema.tables t using (table_schema, table_name)
    where c.table_schema in ${db(schemas)} and t.table_type = 'BASE TABLE'
    order by 1, c.ordinal_position`;
  const tables = new Map<string, CatalogTable>();
  for (const c of columns) {
    let t = tables.get(c.name);
    if (!t) tables.set(c.name, (t = { name: c.name, columns: [], nullable: new Set(), primaryKey: [], references: [] }));
    t.columns.push(c.column);
    if (c.nullable) t.nullable.add(c.column);
  }
  const constraints = await db<{ name: string; type: string; target: string | null; columns: string[] }[]>`
    select n.nspname || '.' || r.relname as name, k.contype as type,
           case when k.contype = 'f' then fn.nspname || '.' || f.relname end as target,
           array(select a.attname::text from unnest(k.conkey) with ordinality u(num, i)
                 join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.num order by u.i) as columns
    from pg_constraint k
    join pg_class r on r.oid = k.conrelid
    join pg_namespace n on n.oid = r.relnamespace
    left join pg_class f on f.oid = k.confrelid
    left join pg_namespace fn on fn.oid = f.relnamespace
    where n.nspname in ${db(schemas)} and k.contype in ('p', 'f')
    order by 1, k.conname`;
  for (const k of constraints) {
    const t = tables.get(k.name);
    if (!t) continue;
    if (k.type === "p") t.primaryKey = k.columns;
    else if (k.target && tables.has(k.target)) t.references.push({ table: k.target, columns: k.columns });
  }
  return tables;
}

export async function readMigrations(db: Db): Promise<ExportMigration[]> {
  const exists = await db<{ found: boolean }[]>`select to_regclass('public.beadhub_migrations') is not null as found`;
  if (!exists[0]!.found) return [];
  return db<ExportMigration[]>`
    select schema_name, name, checksum from public.beadhub_migrations order by applied_at, schema_name, name`;
}

export async function countRows(db: Db, table: string): Promise<number> {
  const [row] = await db.unsafe<{ n: string }[]>(`select count(*) as n from ${ident(table)}`);
  return Number(row!.n);
}

export async function hasRows(db: Db, table: string): Promise<boolean> {
  const [row] = await db.unsafe<{ found: boolean }[]>(`select exists (select 1 from ${ident(table)}) as found`);
  return row!.found;
}

/**
 * Every row of `table` as row_to_json text, in primary-key order, handed over
 * in batches (a cursor: the whole table is never in memory at once).
 */
export async function readRows(
  db: Db,
  table: CatalogTable,
  batch: number,
  each: (rows: string[]) => Promise<void> | void,
): Promise<void> {
  const order = table.primaryKey.length ? ` order by ${table.primaryKey.map((c) => "t." + ident(c)).join(", ")}` : "";
  const query = db.unsafe<{ j: string }[]>(`select row_to_json(t)::text as j from ${ident(table.name)} t${order}`);
  await query.cursor(batch, async (rows) => {
    await each(rows.map((r) => r.j));
  });
}

/** Insert rows (JSON objects as text) into `columns` of `table`; other columns take their defaults. */
export async function insertRows(db: Db, table: string, columns: string[], rows: string[]): Promise<void> {
  const list = columns.map(ident).join(", ");
  await db.unsafe(
    `insert into ${ident(table)} (${list}) select ${list} from json_populate_recordset(null::${ident(table)}, $1::text::json)`,
    ["[" + rows.join(",") + "]"],
  );
}

/** Set `columns` of rows already inserted, matched on the primary key (cycle-breaking second pass). */
export async function updateRows(db: Db, table: string, primaryKey: string[], columns: string[], rows: string[]): Promise<void> {
  const set = columns.map((c) => `${ident(c)} = v.${ident(c)}`).join(", ");
  const match = primaryKey.map((c) => `t.${ident(c)} = v.${ident(c)}`).join(" and ");
  await db.unsafe(
    `update ${ident(table)} t set ${set} from json_populate_recordset(null::${ident(table)}, $1::text::json) v where ${match}`,
    ["[" + rows.join(",") + "]"],
  );
}
