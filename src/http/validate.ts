// Field rules shared by many routes (contract beadhub.md §9, aweb.md §12).
// Each parse* function returns the normalized value or throws a 422.
import { AppError, invalid } from "./errors";

export const ALIAS_RE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;
export const SLUG_RE = /^[A-Za-z0-9/_.-]{1,256}$/;
// The reference rejects dots and underscores, which makes `bdh :init` fail for
// every user whose $USER is like "john.doe" (beadhub.md §19.11). We accept both
// (docs/decisions.md); everything else of the rule is kept.
export const HUMAN_NAME_RE = /^[a-zA-Z][a-zA-Z0-9 '._-]{0,63}$/;
export const BEAD_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
export const BRANCH_RE = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,254}$/;
const ROLE_WORD_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ORIGIN_SEGMENT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

type Loc = (string | number)[];

export function isCanonicalOrigin(value: string): boolean {
  return value.length > 0 && value.length <= 255 && value.split("/").every((s) => ORIGIN_SEGMENT_RE.test(s));
}

/** Any character below 0x20, except those listed in `allowed`. */
export function hasControlChars(value: string, allowed = ""): boolean {
  for (const ch of value) {
    if (ch.charCodeAt(0) < 0x20 && !allowed.includes(ch)) return true;
  }
  return false;
}

/** Trim, collapse whitespace, lowercase; then 1–2 words of the role rule, ≤50 chars. */
export function normalizeRole(raw: string): string | null {
  const role = raw.trim().split(/\s+/).filter(Boolean).join(" ").toLowerCase();
  if (role === "") return "";
  if (role.length > 50) return null;
  const words = role.split(" ");
  if (words.length > 2 || !words.every((w) => ROLE_WORD_RE.test(w))) return null;
  return role;
}

export function parseRole(raw: string | null | undefined, loc: Loc, fallback: string | null = "agent"): string | null {
  if (raw === null || raw === undefined) return fallback;
  const role = normalizeRole(raw);
  if (role === null) {
    throw invalid(loc, "Invalid role: use 1-2 words of letters, digits, '_' or '-' (max 50 chars)", raw);
  }
  return role === "" ? fallback : role;
}

export function parseAlias(raw: string, loc: Loc): string {
  if (!ALIAS_RE.test(raw)) {
    throw invalid(loc, "Invalid alias: must start with a letter or digit and contain only letters, digits, '_' or '-' (max 64)", raw);
  }
  return raw;
}

/** human_name: "" allowed; otherwise HUMAN_NAME_RE. */
export function parseHumanName(raw: string | null | undefined, loc: Loc): string {
  const v = (raw ?? "").trim();
  if (v !== "" && !HUMAN_NAME_RE.test(v)) {
    throw invalid(loc, "Invalid human_name: must start with a letter and contain only letters, digits, spaces, apostrophes, dots, underscores or hyphens (max 64)", raw);
  }
  return v;
}

export function parseHostname(raw: string | null | undefined, loc: Loc): string {
  const v = (raw ?? "").trim();
  if (hasControlChars(v)) throw invalid(loc, "hostname must not contain control characters", raw);
  return v;
}

export function parseWorkspacePath(raw: string | null | undefined, loc: Loc): string {
  const v = (raw ?? "").trim();
  if (hasControlChars(v, "\t\n")) throw invalid(loc, "workspace_path must not contain control characters", raw);
  return v;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Lenient UUID parsing (upper case, braces, urn:uuid:, no dashes) → canonical lower-case, or null. */
export function normalizeUuid(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  let v = raw.trim();
  if (v.toLowerCase().startsWith("urn:uuid:")) v = v.slice(9);
  if (v.startsWith("{") && v.endsWith("}")) v = v.slice(1, -1);
  if (!UUID_RE.test(v)) return null;
  const hex = v.replace(/-/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function parseUuid(raw: unknown, loc: Loc, what = String(loc[loc.length - 1])): string {
  if (typeof raw === "string" && raw.trim() === "") throw invalid(loc, `${what} cannot be empty`, raw);
  const id = normalizeUuid(raw);
  if (!id) throw invalid(loc, `Invalid ${what} format`, raw, "uuid_parsing");
  return id;
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

/** Query booleans accept true/false/1/0/yes/no/on/off, case-insensitive (§0). */
export function queryBool(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw invalid(["query", name], "Input should be a valid boolean, unable to interpret input", raw, "bool_parsing");
}

export function queryInt(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const v = raw.trim();
  if (!/^[+-]?\d+$/.test(v)) {
    throw invalid(["query", name], "Input should be a valid integer, unable to parse string as an integer", raw, "int_parsing");
  }
  const n = Number(v);
  if (n < min) throw invalid(["query", name], `Input should be greater than or equal to ${min}`, raw, "greater_than_equal");
  if (n > max) throw invalid(["query", name], `Input should be less than or equal to ${max}`, raw, "less_than_equal");
  return n;
}

/**
 * A JSON body integer coerced like pydantic's lax mode (aweb.md §1): 60, 60.0
 * and "60" are accepted; anything else, or a value outside [min, max], is a 422.
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

/**
 * workspace_id checked inside a handler, as the reference's validate_workspace_id
 * does there: the 422 detail is a plain string, not a field list.
 */
export function parseWorkspaceIdPlain(raw: string): string {
  if (raw.trim() === "") throw new AppError(422, "workspace_id cannot be empty");
  const id = normalizeUuid(raw);
  if (!id) throw new AppError(422, "Invalid workspace_id format");
  return id;
}

/** Optional query UUID: absent → null, malformed → 422. */
export function queryUuid(raw: string | undefined, name: string): string | null {
  if (raw === undefined) return null;
  return parseUuid(raw, ["query", name], name);
}
