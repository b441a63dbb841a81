// Bun macro (imported `with { type: "macro" }`): runs when the code is bundled
// or transpiled, reads migrations/<schema>/NNNN_name.sql and inlines them, so
// the binary carries them and a new file cannot be forgotten. Throws — failing
// the build or the test run — on a misnamed file or a numbering gap.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface MigrationFile {
  schema: string;
  name: string;
  sql: string;
}

/** Schemas in dependency order: aweb (extensions) → server → beads (FKs to server). */
export const SCHEMA_ORDER = ["aweb", "server", "beads"];

export function readMigrationFiles(root = join(import.meta.dir, "..", "..", "migrations")): MigrationFile[] {
  const files: (MigrationFile & { number: number })[] = [];
  const found = readdirSync(root).sort();
  for (const schema of found) {
    if (!SCHEMA_ORDER.includes(schema)) throw new Error(`migrations/${schema}: unknown schema (expected ${SCHEMA_ORDER.join(", ")})`);
    const names = readdirSync(join(root, schema)).sort();
    names.forEach((file, i) => {
      const m = /^(\d{4})_[a-z0-9_]+\.sql$/.exec(file);
      if (!m) throw new Error(`migrations/${schema}/${file}: expected NNNN_verb_object.sql`);
      const number = Number(m[1]);
      if (number !== i + 1) throw new Error(`migrations/${schema}/${file}: expected number ${String(i + 1).padStart(4, "0")} (no gaps)`);
      files.push({ schema, name: file.slice(0, -4), number, sql: readFileSync(join(root, schema, file), "utf8") });
    });
  }
  // Every 0001 first (in schema order), then every 0002, and so on.
  files.sort((a, b) => a.number - b.number || SCHEMA_ORDER.indexOf(a.schema) - SCHEMA_ORDER.indexOf(b.schema));
  return files.map(({ schema, name, sql }) => ({ schema, name, sql }));
}
