// Field rules shared by many routes: aliases, names, roles, slugs, branches,
// origins (docs/protocol/conventions.md#field-rules). Each parse* function
// returns the normalized value or throws a 422.
import { invalid } from "./errors";

export const ALIAS_RE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;
export const SLUG_RE = /^[A-Za-z0-9/_.-]{1,256}$/;
// The reference rejects dots and underscores, which makes `bdh :init` fail for
// every user whose $USER is like "john.doe". We accept both
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
