// The wire-compatibility rules: how the reference server (FastAPI + pydantic)
// parses and rejects query strings, ids and cursors, reproduced once so every
// route answers the same bodies (docs/protocol/conventions.md). One function
// per rule, one signature each; routes never restate them.
import { AppError, invalid, unprocessable } from "./errors";
import { parseAwareTimestamp } from "./time";

type Loc = (string | number)[];

// ── strings ─────────────────────────────────────────────────────────────────

const chars = (n: number) => `${n} character${n === 1 ? "" : "s"}`;

/**
 * FastAPI's `Query(min_length=, max_length=)` (and Path): a pydantic-shaped
 * 422 list. Absent values pass; the caller decides whether absence is allowed.
 */
export function checkLength(raw: string | undefined, loc: Loc, limits: { min?: number; max?: number }): void {
  if (raw === undefined) return;
  const { min = 0, max = Infinity } = limits;
  if (raw.length < min) {
    throw new AppError(422, [
      { type: "string_too_short", loc, msg: `String should have at least ${chars(min)}`, input: raw, ctx: { min_length: min } },
    ]);
  }
  if (raw.length > max) {
    throw new AppError(422, [
      { type: "string_too_long", loc, msg: `String should have at most ${chars(max)}`, input: raw, ctx: { max_length: max } },
    ]);
  }
}

/**
 * A btree index entry holds at most ~2,700 bytes (a third of a page), and the
 * value itself must leave room for the rest of the key. Values that land in an
 * indexed column are checked against this many UTF-8 bytes (docs/decisions.md,
 * issue 19): beyond it PostgreSQL would fail the statement (SQLSTATE 54000).
 */
export const INDEX_VALUE_MAX_BYTES = 2000;

/** A value stored in an indexed column: too many UTF-8 bytes → 422 string_too_long naming the field. */
export function checkIndexable(raw: string | null | undefined, loc: Loc, maxBytes = INDEX_VALUE_MAX_BYTES): void {
  if (raw === null || raw === undefined || raw.length * 3 <= maxBytes) return;
  if (Buffer.byteLength(raw, "utf8") <= maxBytes) return;
  throw new AppError(422, [
    {
      type: "string_too_long",
      loc,
      msg: `String should have at most ${maxBytes} bytes (UTF-8): the value is indexed`,
      input: [...raw].slice(0, 100).join("") + "…",
      ctx: { max_bytes: maxBytes },
    },
  ]);
}

/** A query parameter FastAPI declares without a default: absent → "Field required". */
export function requireQuery(raw: string | undefined, name: string): string {
  if (raw === undefined) throw invalid(["query", name], "Field required", null, "missing");
  return raw;
}

/**
 * Postgres text cannot hold NUL, so such a value would fail at the database;
 * no stored value can match it anyway. Answer 422 instead.
 */
export function rejectNul(raw: string | null | undefined, loc: Loc): void {
  if (raw != null && raw.includes("\0")) throw invalid(loc, "Value error, NUL characters are not allowed", raw);
}

/** Python's repr() of a str, for details that print a list or set of strings. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += ch;
  }
  return quote + out + quote;
}

/** Python's repr() of a list of str: `['a', 'b']`. */
export const pyList = (items: readonly string[]) => "[" + items.map(pyRepr).join(", ") + "]";
/** Python's repr() of a set of str, in the given order: `{'a', 'b'}`. */
export const pySet = (items: readonly string[]) => "{" + items.map(pyRepr).join(", ") + "}";

// ── UUIDs ───────────────────────────────────────────────────────────────────

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Python's lenient UUID parsing (upper case, braces, urn:uuid:, no dashes) → canonical lower case, or null. */
export function normalizeUuid(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  let v = raw.trim();
  if (v.toLowerCase().startsWith("urn:uuid:")) v = v.slice(9);
  if (v.startsWith("{") && v.endsWith("}")) v = v.slice(1, -1);
  if (!UUID_RE.test(v)) return null;
  const hex = v.replace(/-/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID field checked by the request model: a pydantic-shaped 422 list. */
export function parseUuid(raw: unknown, loc: Loc, what = String(loc[loc.length - 1])): string {
  if (typeof raw === "string" && raw.trim() === "") throw invalid(loc, `${what} cannot be empty`, raw);
  const id = normalizeUuid(raw);
  if (!id) throw invalid(loc, `Invalid ${what} format`, raw, "uuid_parsing");
  return id;
}

/** Optional UUID query parameter: absent → null, malformed → 422 list. */
export function queryUuid(raw: string | undefined, name: string): string | null {
  if (raw === undefined) return null;
  return parseUuid(raw, ["query", name], name);
}

/**
 * workspace_id checked inside a handler (the reference's validate_workspace_id):
 * the 422 detail is a plain string, not a field list.
 */
export function plainWorkspaceId(raw: string): string {
  if (raw.trim() === "") throw unprocessable("workspace_id cannot be empty");
  const id = normalizeUuid(raw);
  if (!id) throw unprocessable("Invalid workspace_id format");
  return id;
}

/** repo_id checked inside a handler: plain-string 422. */
export function plainRepoId(raw: string): string {
  const id = normalizeUuid(raw);
  if (!id) throw unprocessable("Invalid repo_id format: expected UUID");
  return id;
}

// ── numbers and booleans ─────────────────────────────────────────────────────

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

/** Query booleans accept true/false/1/0/yes/no/on/off, case-insensitive. */
export function queryBool(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw invalid(["query", name], "Input should be a valid boolean, unable to interpret input", raw, "bool_parsing");
}

/**
 * An integer query parameter with bounds. `min` is inclusive (`ge`) unless
 * `exclusiveMin` is set (`gt`, worded "greater than"); `max` is inclusive; a
 * null max means unbounded.
 */
export function queryInt(
  raw: string | undefined,
  name: string,
  fallback: number,
  bounds: { min: number; max: number | null; exclusiveMin?: boolean },
): number {
  if (raw === undefined) return fallback;
  const v = raw.trim();
  if (!/^[+-]?\d+$/.test(v)) {
    throw invalid(["query", name], "Input should be a valid integer, unable to parse string as an integer", raw, "int_parsing");
  }
  const n = Number(v);
  if (bounds.exclusiveMin) {
    if (n <= bounds.min) throw invalid(["query", name], `Input should be greater than ${bounds.min}`, raw, "greater_than");
  } else if (n < bounds.min) {
    throw invalid(["query", name], `Input should be greater than or equal to ${bounds.min}`, raw, "greater_than_equal");
  }
  if (bounds.max !== null && n > bounds.max) {
    throw invalid(["query", name], `Input should be less than or equal to ${bounds.max}`, raw, "less_than_equal");
  }
  return Math.min(n, Number.MAX_SAFE_INTEGER);
}

/**
 * A JSON body integer coerced like pydantic's lax mode: 60, 60.0 and "60" are
 * accepted; anything else, or a value outside [min, max], is a 422 list.
 */
export function bodyInt(raw: unknown, loc: Loc, min: number, max = Number.MAX_SAFE_INTEGER): number {
  let n: number;
  if (typeof raw === "number" && Number.isFinite(raw)) {
    if (!Number.isInteger(raw)) {
      throw invalid(loc, "Input should be a valid integer, got a number with a fractional part", raw, "int_from_float");
    }
    n = raw;
  } else if (typeof raw === "string") {
    if (!/^\s*[+-]?\d+\s*$/.test(raw)) {
      throw invalid(loc, "Input should be a valid integer, unable to parse string as an integer", raw, "int_parsing");
    }
    n = Number(raw.trim());
  } else {
    throw invalid(loc, "Input should be a valid integer", raw ?? null, "int_type");
  }
  if (n < min) throw invalid(loc, `Input should be greater than or equal to ${min}`, raw, "greater_than_equal");
  if (n > max) throw invalid(loc, `Input should be less than or equal to ${max}`, raw, "less_than_equal");
  return n;
}

// ── cursors ─────────────────────────────────────────────────────────────────
// Opaque pagination cursors: URL-safe base64 (no padding) of compact JSON, at
// most 8192 chars before and after decoding, decoding to a JSON object.
// Malformed → plain-string 422 "Invalid cursor: …".

const MAX_CURSOR = 8192;

export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function decodeCursor(raw: string | undefined): Record<string, unknown> | null {
  if (raw === undefined || raw === "") return null;
  const fail = (why: string) => unprocessable(`Invalid cursor: ${why}`);
  if (raw.length > MAX_CURSOR) throw fail("too long");
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(raw)) throw fail("not URL-safe base64");
  const text = Buffer.from(raw, "base64url").toString("utf8");
  if (text.length > MAX_CURSOR) throw fail("too long");
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

/** Given limit+1 rows: cut to limit and compute has_more / next_cursor. */
export function page<T>(rows: T[], limit: number, cursorOf: (last: T) => Record<string, unknown>) {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return {
    items,
    has_more: hasMore,
    next_cursor: hasMore ? encodeCursor(cursorOf(items[items.length - 1])) : null,
  };
}
