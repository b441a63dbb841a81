// Every migration, inlined at build time from migrations/** by a Bun macro
// (src/db/migration-files.ts): no run-time file reads, no list to keep by hand.
import { readMigrationFiles } from "./migration-files" with { type: "macro" };

export interface Migration {
  schema: "aweb" | "server" | "beads";
  name: string;
  sql: string;
}

export const MIGRATIONS = readMigrationFiles() as Migration[];
