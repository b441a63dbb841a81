// One postgres.js instance per process. Timestamps are kept as text end to end:
// Postgres has microseconds, a JS Date only milliseconds (docs/protocol/conventions.md#timestamps),
// so every timestamptz column arrives as an ISO-8601 string like
// "2026-02-07T11:39:32.123456+00:00" (fraction omitted when zero, as Python does).
import postgres from "postgres";
import { gatePool } from "./gate";

export type Sql = postgres.Sql<{}>;
/** Either the pool or a transaction handle; data functions accept both. */
export type Db = Sql | postgres.TransactionSql<{}>;

const TIMESTAMPTZ_OID = 1184;

/** "2026-02-07 11:39:32.123456+00" (session TimeZone=UTC) → "2026-02-07T11:39:32.123456+00:00". */
export function pgTimestampToIso(text: string): string {
  // Hot: every timestamp of every row passes here. The usual shape (four-digit
  // year, UTC) is handled with slices; anything else takes the general path.
  if (text.length >= 22 && text.charCodeAt(10) === 0x20 && text.endsWith("+00")) {
    const fraction = text.length - 3 - 20; // digits after "YYYY-MM-DD HH:MM:SS."
    if (text.charCodeAt(19) === 0x2b) return text.slice(0, 10) + "T" + text.slice(11, 19) + "+00:00";
    if (text.charCodeAt(19) === 0x2e && fraction >= 1 && fraction <= 6) {
      return text.slice(0, 10) + "T" + text.slice(11, -3) + "000000".slice(fraction) + "+00:00";
    }
  }
  // Postgres trims trailing zeros (".16"), Python always prints six digits
  // (".160000"); PGlite's clock has only milliseconds, so this shows up there first.
  const t = text.replace(" ", "T").replace(/\.(\d{1,5})(?=[+-]|$)/, (_, f: string) => "." + f.padEnd(6, "0"));
  if (t.endsWith("+00")) return t + ":00";
  return t;
}

export interface PoolOptions {
  max?: number;
  /** Seconds to wait for a connection before failing a query. */
  connectTimeout?: number;
  onnotice?: (notice: unknown) => void;
  /** Overrides the URL's host; a path is a unix socket directory (embedded mode). */
  host?: string;
}

/**
 * The pool, behind a gate of as many slots as connections (src/db/gate.ts):
 * postgres.js never holds more statements than it has connections.
 */
export function openSql(url: string, options: PoolOptions = {}): Sql {
  const max = options.max ?? 10;
  const raw = postgres(url, {
    ...(options.host ? { host: options.host } : {}),
    max,
    // 3 s, not 10: around a Postgres restart a connection attempt can stall
    // until this fires, and every request queued on the pool waits with it
    // (test/faults.test.ts saw 10 s freezes). A healthy connect takes milliseconds.
    connect_timeout: options.connectTimeout ?? 3,
    idle_timeout: 60,
    // postgres.js's default reconnect backoff grows with every failed attempt
    // across the pool (3^n/100 s, up to 20 s): after a few seconds of outage,
    // requests hung for seconds and recovery after a restart took up to 20 s.
    // Capped at 0.5 s: fast 503s while Postgres is away, fast recovery.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
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
  });
  return gatePool(raw, max) as unknown as Sql;
}

/** Replace "+00:00" with "Z" (the reference's datetime-typed fields, docs/protocol/conventions.md#timestamps). */
export function isoZ(iso: string | null): string | null {
  if (iso === null) return null;
  return iso.endsWith("+00:00") ? iso.slice(0, -6) + "Z" : iso;
}
