// Forwards-only migration runner. All pending files are applied in one
// transaction that first takes a transaction-scoped advisory lock, so two
// instances starting together serialize here and the second finds nothing to do.
import { createHash } from "node:crypto";
import type { Sql } from "./pool";
import { MIGRATIONS, type Migration } from "./migrations";

// Arbitrary constant: "beadhub" as a 63-bit number, the key of the advisory lock.
const LOCK_KEY = 0x6265_6164_6875_62n;

export interface MigrateResult {
  applied: string[];
  skipped: number;
}

function checksum(m: Migration): string {
  return createHash("sha256").update(m.sql).digest("hex");
}

export async function migrate(sql: Sql, migrations: Migration[] = MIGRATIONS): Promise<MigrateResult> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK_KEY.toString()}::bigint)`;
    await tx`
      create table if not exists public.beadhub_migrations (
        schema_name text not null,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now(),
        primary key (schema_name, name)
      )`;
    const rows = await tx<{ schema_name: string; name: string; checksum: string }[]>`
      select schema_name, name, checksum from public.beadhub_migrations`;
    const done = new Map(rows.map((r) => [`${r.schema_name}/${r.name}`, r.checksum]));
    const applied: string[] = [];
    for (const m of migrations) {
      const key = `${m.schema}/${m.name}`;
      const sum = checksum(m);
      const previous = done.get(key);
      if (previous !== undefined) {
        if (previous !== sum) {
          throw new Error(`migration ${key} was changed after it was applied (checksum mismatch)`);
        }
        continue;
      }
      // Multi-statement DDL: the only place sql.unsafe is used.
      await tx.unsafe(m.sql);
      await tx`
        insert into public.beadhub_migrations (schema_name, name, checksum)
        values (${m.schema}, ${m.name}, ${sum})`;
      applied.push(key);
    }
    return { applied, skipped: migrations.length - applied.length };
  });
}
