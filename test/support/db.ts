// Test databases: one migrated template per migration set (named by a hash of
// the migrations, so it is rebuilt only when they change), cloned per test file.
import { createHash } from "node:crypto";
import postgres from "postgres";
import { MIGRATIONS } from "../../src/db/migrations";
import { migrate } from "../../src/db/migrate";
import { openSql } from "../../src/db/pool";

export const ADMIN_URL = process.env.BEADHUB_TEST_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function urlFor(database: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = "/" + database;
  return u.toString();
}

/**
 * Names of this run's databases start with `beadhub_t_<run>_` / `beadhub_e_<run>_`,
 * so test/run.ts can drop whatever a crashed file left behind.
 */
export const RUN_ID = process.env.BEADHUB_TEST_RUN ?? String(process.pid);

export function templateName(): string {
  // test/run.ts builds one template per run and drops it at the end.
  if (process.env.BEADHUB_TEST_TEMPLATE) return process.env.BEADHUB_TEST_TEMPLATE;
  const hash = createHash("sha256");
  for (const m of MIGRATIONS) hash.update(m.schema + "/" + m.name + "\n" + m.sql);
  return "beadhub_tmpl_" + hash.digest("hex").slice(0, 12);
}

function admin() {
  return postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
}

/** Build the template unless it already exists. Safe to call repeatedly. */
export async function ensureTemplate(): Promise<string> {
  const name = templateName();
  const sql = admin();
  try {
    let exists = await sql`select 1 from pg_database where datname = ${name}`;
    if (exists.length > 0) return name;
    // Several test runs (other checkouts, parallel workers) may build the same
    // template at once: one builds under a session advisory lock, the others
    // wait and then find it.
    await sql`select pg_advisory_lock(hashtextextended(${name}, 0))`;
    exists = await sql`select 1 from pg_database where datname = ${name}`;
    if (exists.length > 0) return name;
    const building = name + "_build";
    await sql`drop database if exists ${sql(building)} with (force)`;
    await sql`create database ${sql(building)}`;
    const db = openSql(urlFor(building), { max: 1 });
    try {
      await migrate(db);
    } finally {
      await db.end({ timeout: 5 });
    }
    await sql`alter database ${sql(building)} rename to ${sql(name)}`;
    return name;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function createDatabaseFromTemplate(): Promise<string> {
  const template = await ensureTemplate();
  const name = `beadhub_t_${RUN_ID}_${Math.random().toString(36).slice(2, 10)}`;
  const sql = admin();
  try {
    await sql`create database ${sql(name)} template ${sql(template)}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  return name;
}

export async function createEmptyDatabase(): Promise<string> {
  const name = `beadhub_e_${RUN_ID}_${Math.random().toString(36).slice(2, 10)}`;
  const sql = admin();
  try {
    await sql`create database ${sql(name)}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  const sql = admin();
  try {
    await sql`drop database if exists ${sql(name)} with (force)`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
