// Issue records → beads_issues rows (docs/protocol/sync.md#beads-parsing, docs/protocol/sync.md#beads-record-validation).
// Wrong JSON types are a 500 in the reference; here every field is coerced to
// its column type (or null) so one odd record can never fail a whole batch:
//   text columns: strings kept, numbers/booleans stringified, anything else null;
//   priority: an integer in int4 range (also "2" or 2.0), else null;
//   labels: the string elements of an array, null when none;
//   blocked_by / dependencies: a non-array counts as empty.
// NUL characters and lone surrogates cannot be stored in Postgres text/jsonb,
// so they are removed/replaced in every string.
import { BEAD_ID_RE, BRANCH_RE, isCanonicalOrigin } from "../http/field-rules";
import type { BeadRef, RejectedIssue } from "./model";

/** One row of the set-based upsert (jsonb_to_recordset columns, snake_case). */
export interface IssueRow {
  bead_id: string;
  title: string | null;
  description: string | null;
  status: string | null;
  priority: number | null;
  issue_type: string | null;
  assignee: string | null;
  created_by: string | null;
  labels: string[] | null;
  blocked_by: BeadRef[];
  parent_id: BeadRef | null;
  created_at: string | null;
  updated_at: string | null;
}

export type IssueRecord = Record<string, unknown>;

export const isValidBeadId = (v: unknown): v is string => typeof v === "string" && BEAD_ID_RE.test(v);

/** Skip non-objects and records without a valid string id; the last duplicate wins (docs/protocol/sync.md#beads-record-validation). */
export function validateIssues(list: unknown[]): Map<string, IssueRecord> {
  const issues = new Map<string, IssueRecord>();
  for (const record of list) {
    if (record === null || typeof record !== "object" || Array.isArray(record)) continue;
    const id = (record as IssueRecord).id;
    if (!isValidBeadId(id)) continue;
    issues.set(id, record as IssueRecord);
  }
  return issues;
}

/**
 * Text fields that land in a btree index, with their longest accepted length
 * in characters (4 bytes each at most, far below the index's ~2,700 bytes).
 * `created_by` is indexed too but cut to 255 characters like the reference.
 */
const INDEXED_ISSUE_FIELDS: Record<string, number> = { status: 255 };

/**
 * Removes the records that PostgreSQL could not index (one would fail the whole
 * batch with SQLSTATE 54000) and returns them: the rest of the batch is stored,
 * and bdh, which reads only the fields it knows, keeps syncing.
 */
export function removeUnstorable(issues: Map<string, IssueRecord>): RejectedIssue[] {
  const rejected: RejectedIssue[] = [];
  for (const [id, record] of issues) {
    for (const [field, max] of Object.entries(INDEXED_ISSUE_FIELDS)) {
      const value = record[field];
      if (typeof value === "string" && value.length > max) {
        rejected.push({ bead_id: id, field, detail: `${field} is longer than ${max} characters` });
        issues.delete(id);
        break;
      }
    }
  }
  return rejected;
}

function clean(s: string): string {
  const noNul = s.includes("\0") ? s.replaceAll("\0", "") : s;
  return noNul.isWellFormed() ? noNul : noNul.toWellFormed();
}

function text(v: unknown): string | null {
  if (typeof v === "string") return clean(v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  if (typeof v === "boolean") return String(v);
  return null;
}

function priorityOf(v: unknown): number | null {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v)) n = Number(v);
  else return null;
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : null;
}

function labelsOf(v: unknown): string[] | null {
  if (!Array.isArray(v)) return null;
  const out = v.filter((x): x is string => typeof x === "string").map(clean);
  return out.length > 0 ? out : null;
}

/** Python's str(created_by), trimmed, empty → null, at most 255 characters. */
function createdByOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  let s: string;
  if (typeof v === "string") s = v;
  else if (typeof v === "boolean") s = v ? "True" : "False";
  else if (typeof v === "number") s = Number.isFinite(v) ? String(v) : "nan";
  else s = JSON.stringify(v);
  s = clean(s).trim();
  if (s === "") return null;
  return [...s].slice(0, 255).join("");
}

function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(mo) ? 30 : 31;
}

const TIMESTAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d+)?)?)?)?)?$/;

/**
 * ISO-8601 as Python's datetime.fromisoformat reads it (date-only, "Z",
 * offsets, any fraction truncated to microseconds); naive values are UTC.
 * Returns Postgres timestamptz text, or null when unparsable or out of range.
 */
export function parseIssueTimestamp(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const m = TIMESTAMP_RE.exec(v.trim());
  if (!m) return null;
  const [y, mo, d, h = 0, mi = 0, sec = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x))) as number[];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return null;
  if (d > daysInMonth(y, mo)) return null;
  let zone = "+00:00";
  const z = m[8];
  if (z && z.toUpperCase() !== "Z") {
    const digits = z.slice(1).replace(/:/g, "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4) || "0");
    if (oh > 23 || om > 59) return null;
    if (digits.length > 4) return null; // seconds in an offset: Postgres cannot store them
    zone = `${z[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || "00"}`;
  }
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const frac = m[7] ? "." + m[7].slice(0, 6) : "";
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(sec)}${frac}${zone}`;
}

/** "bd-1" (same repo/branch) or "<canonical-origin>:bd-1" (branch = sync branch). */
export function parseRefString(raw: string, repo: string, branch: string): BeadRef | null {
  const s = raw.trim();
  if (s === "") return null;
  const colon = s.indexOf(":");
  if (colon < 0) return isValidBeadId(s) ? { repo, branch, bead_id: s } : null;
  const refRepo = s.slice(0, colon).trim();
  const refId = s.slice(colon + 1).trim();
  if (refRepo === "" || !isValidBeadId(refId) || !isCanonicalOrigin(refRepo)) return null;
  return { repo: refRepo, branch, bead_id: refId };
}

function parseRefObject(item: Record<string, unknown>, repo: string, branch: string): BeadRef | null {
  const id = item.bead_id;
  if (!isValidBeadId(id)) return null;
  const r = item.repo;
  const b = item.branch;
  if (r && !(typeof r === "string" && isCanonicalOrigin(r))) return null;
  if (b && !(typeof b === "string" && BRANCH_RE.test(b))) return null;
  return { repo: (r as string) || repo, branch: (b as string) || branch, bead_id: id };
}

function refOf(item: unknown, repo: string, branch: string): BeadRef | null {
  if (typeof item === "string") return parseRefString(item, repo, branch);
  if (item !== null && typeof item === "object" && !Array.isArray(item)) {
    return parseRefObject(item as Record<string, unknown>, repo, branch);
  }
  return null;
}

/** One record → one row; `batch` answers "is this dependency closed in the same batch?" (docs/protocol/sync.md#beads-issues). */
export function toIssueRow(id: string, issue: IssueRecord, repo: string, branch: string, batch: Map<string, IssueRecord>): IssueRow {
  const blockedBy: BeadRef[] = [];
  if (Array.isArray(issue.blocked_by)) {
    for (const item of issue.blocked_by) {
      const ref = refOf(item, repo, branch);
      if (ref) blockedBy.push(ref);
    }
  }
  let parent: BeadRef | null = null;
  const deps = Array.isArray(issue.dependencies) ? issue.dependencies : [];
  for (const dep of deps) {
    if (dep === null || typeof dep !== "object" || Array.isArray(dep)) continue;
    const { type, depends_on_id: dependsOn } = dep as Record<string, unknown>;
    if (typeof dependsOn !== "string" || dependsOn === "") continue;
    const ref = parseRefString(dependsOn, repo, branch);
    if (!ref) continue;
    if (type === "parent-child") {
      parent ??= ref; // the first parent wins; never blocking
      continue;
    }
    if (type !== "blocks") continue;
    // keyed by the raw id, as the reference looks it up
    if (batch.get(dependsOn)?.status !== "closed") blockedBy.push(ref);
  }
  return {
    bead_id: id,
    title: text(issue.title),
    description: text(issue.description),
    status: text(issue.status),
    priority: priorityOf(issue.priority),
    issue_type: text(issue.issue_type),
    assignee: text(issue.assignee),
    created_by: createdByOf(issue.created_by),
    labels: labelsOf(issue.labels),
    blocked_by: blockedBy,
    parent_id: parent,
    created_at: parseIssueTimestamp(issue.created_at),
    updated_at: parseIssueTimestamp(issue.updated_at),
  };
}
