// Opaque pagination cursors (contract beadhub.md §0): URL-safe base64 without
// padding of compact JSON, at most 8192 chars before and after decoding, must
// decode to a JSON object. Malformed → 422 "Invalid cursor ...".
import { unprocessable } from "./errors";
import { parseAwareTimestamp } from "./time";
import { normalizeUuid } from "./validate";

const MAX = 8192;

export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function decodeCursor(raw: string | undefined): Record<string, unknown> | null {
  if (raw === undefined || raw === "") return null;
  const fail = (why: string) => unprocessable(`Invalid cursor: ${why}`);
  if (raw.length > MAX) throw fail("too long");
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(raw)) throw fail("not URL-safe base64");
  const text = Buffer.from(raw, "base64url").toString("utf8");
  if (text.length > MAX) throw fail("too long");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail("not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw fail("not an object");
  return parsed as Record<string, unknown>;
}

/** A cursor field that must be a timestamp string; anything else is a 422. */
export function cursorTimestamp(cursor: Record<string, unknown>, field: string): string {
  const v = cursor[field];
  if (typeof v !== "string" || Number.isNaN(Date.parse(v))) {
    throw unprocessable(`Invalid cursor: ${field} must be a timestamp`);
  }
  return v;
}

/** Like cursorTimestamp, but only RFC 3339 with a zone; returns Postgres-safe text (µs kept). */
export function cursorIsoTimestamp(cursor: Record<string, unknown>, field: string): string {
  const parsed = parseAwareTimestamp(cursorTimestamp(cursor, field));
  if (!parsed.ok) throw unprocessable(`Invalid cursor: ${field} must be a timestamp`);
  return parsed.value;
}

/** An optional UUID cursor field: absent → null, anything but a UUID → 422. */
export function cursorUuid(cursor: Record<string, unknown>, field: string): string | null {
  const v = cursor[field];
  if (v === undefined) return null;
  const id = normalizeUuid(v);
  if (!id) throw unprocessable(`Invalid cursor: ${field} must be a UUID`);
  return id;
}

/** Page helper: given limit+1 rows, cut to limit and compute has_more/next_cursor. */
export function page<T>(rows: T[], limit: number, cursorOf: (last: T) => Record<string, unknown>) {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return {
    items,
    has_more: hasMore,
    next_cursor: hasMore ? encodeCursor(cursorOf(items[items.length - 1])) : null,
  };
}
