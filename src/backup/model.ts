// The export file (`beadhub export` / `beadhub import`, issue 16): JSON Lines.
// Line 1 is the header below; then, table by table in the header's order,
// exactly `rows` lines per table, each one row as PostgreSQL's row_to_json
// writes it (timestamps with microseconds, jsonb nested, arrays as JSON
// arrays); the last line is the trailer. Format described in
// docs/protocol/backup.md; bump FORMAT_VERSION on any incompatible change.
import { Type, type Static } from "@sinclair/typebox";

export const FORMAT = "beadhub-export";
export const FORMAT_VERSION = 1;

/** The schemas whose every table is exported (Redis holds nothing that must survive). */
export const EXPORTED_SCHEMAS = ["aweb", "server", "beads"] as const;

export const ExportTable = Type.Object({
  /** "schema.table" */
  name: Type.String(),
  columns: Type.Array(Type.String()),
  rows: Type.Integer({ minimum: 0 }),
});
export type ExportTable = Static<typeof ExportTable>;

export const ExportMigration = Type.Object({
  schema_name: Type.String(),
  name: Type.String(),
  checksum: Type.String(),
});
export type ExportMigration = Static<typeof ExportMigration>;

export const ExportHeader = Type.Object({
  format: Type.Literal(FORMAT),
  version: Type.Integer(),
  beadhub_version: Type.String(),
  exported_at: Type.String(),
  /** "embedded" or "postgres": where it came from (informational). */
  source: Type.String(),
  migrations: Type.Array(ExportMigration),
  tables: Type.Array(ExportTable),
});
export type ExportHeader = Static<typeof ExportHeader>;

export const ExportTrailer = Type.Object({
  end: Type.Literal(FORMAT),
  rows: Type.Integer({ minimum: 0 }),
});
export type ExportTrailer = Static<typeof ExportTrailer>;

/** What export and import report. */
export interface TableCount {
  name: string;
  rows: number;
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupError";
  }
}
