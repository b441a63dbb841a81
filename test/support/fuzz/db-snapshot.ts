// Database snapshots: row counts of every table in the aweb, server and beads
// schemas (the fuzz test: a failed request changes nothing), and one
// project's rows (the isolation test: another project's key changes nothing).
import type { Sql } from "../../../src/db/pool";

const SCHEMAS = ["aweb", "server", "beads"];

export async function tableNames(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select table_schema || '.' || table_name as name from information_schema.tables
    where table_schema in ${sql(SCHEMAS)} and table_type = 'BASE TABLE'
    order by 1`;
  return rows.map((r) => r.name);
}

export async function rowCounts(sql: Sql): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of await tableNames(sql)) {
    const [row] = await sql.unsafe(`select count(*)::int as n from ${name}`);
    out[name] = row.n as number;
  }
  return out;
}

/** Columns that change on reads or bookkeeping, not on writes by the caller. */
const VOLATILE = new Set(["last_used_at", "last_seen_at", "updated_at", "synced_at"]);

/**
 * Every row that mentions the project (a project_id column, or the aweb/server
 * project tables by id), as sorted JSON lines per table. Volatile bookkeeping
 * columns are dropped.
 */
export async function projectRows(sql: Sql, projectId: string): Promise<Record<string, string[]>> {
  const cols = await sql<{ table_schema: string; table_name: string; column_name: string }[]>`
    select c.table_schema, c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema in ${sql(SCHEMAS)} and t.table_type = 'BASE TABLE'
    order by c.table_schema, c.table_name, c.ordinal_position`;
  const byTable = new Map<string, string[]>();
  for (const c of cols) {
    const key = `${c.table_schema}.${c.table_name}`;
    byTable.set(key, [...(byTable.get(key) ?? []), c.column_name]);
  }
  const out: Record<string, string[]> = {};
  for (const [table, columns] of byTable) {
    let where: string | null = null;
    if (columns.includes("project_id")) where = "project_id = $1";
    else if (table === "server.projects") where = "id = $1";
    else if (columns.includes("session_id") && table.startsWith("aweb.chat")) {
      where = "session_id in (select session_id from aweb.chat_sessions where project_id = $1)";
    } else if (columns.includes("agent_id")) where = "agent_id in (select agent_id from aweb.agents where project_id = $1)";
    if (where === null) continue;
    const rows = await sql.unsafe(`select * from ${table} where ${where}`, [projectId]).catch(() => null);
    if (rows === null) continue;
    out[table] = rows
      .map((r: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !VOLATILE.has(k)))))
      .sort();
  }
  return out;
}
