// One postgres.js instance per process. Timestamps are kept as text end to end:
// Postgres has microseconds, a JS Date only milliseconds (contract aweb.md §12.8),
// so every timestamptz column arrives as an ISO-8601 string like
// "2026-02-07T11:39:32.123456+00:00" (fraction omitted when zero, as Python does).
import postgres from "postgres";

export type Sql = postgres.Sql<{}>;
/** Either the pool or a transaction handle; data functions accept both. */
export type Db = Sql | postgres.TransactionSql<{}>;

const TIMESTAMPTZ_OID = 1184;

/** "2026-02-07 11:39:32.123456+00" (session TimeZone=UTC) → "2026-02-07T11:39:32.123456+00:00". */
export function pgTimestampToIso(text: string): string {
  const t = text.replace(" ", "T");
  if (t.endsWith("+00")) return t + ":00";
  return t;
}

export interface PoolOptions {
  max?: number;
  /** Seconds to wait for a connection before failing a query. */
  connectTimeout?: number;
  onnotice?: (notice: unknown) => void;
}

export function openSql(url: string, options: PoolOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeout ?? 10,
    idle_timeout: 60,
    onnotice: options.onnotice ?? (() => {}),
    connection: { TimeZone: "UTC", application_name: "beadhub" },
    types: {
      timestamptz: {
        to: TIMESTAMPTZ_OID,
        from: [TIMESTAMPTZ_OID],
        serialize: (v: unknown) => (v instanceof Date ? v.toISOString() : String(v)),
        parse: pgTimestampToIso,
      },
    },
  }) as unknown as Sql;
}

/** Replace "+00:00" with "Z" (pydantic-style datetime fields, contract beadhub.md §0). */
export function isoZ(iso: string | null): string | null {
  if (iso === null) return null;
  return iso.endsWith("+00:00") ? iso.slice(0, -6) + "Z" : iso;
}
