// Query/body checks of the beads routes, in the reference's wording (docs/protocol/sync.md#beads-upload):
// FastAPI-level constraints answer pydantic-shaped lists, the handlers' own
// checks answer string details ("Invalid repo: …").
import { AppError, unprocessable } from "../http/errors";
import { BRANCH_RE, isCanonicalOrigin } from "../http/field-rules";
import { decodeCursor } from "../http/wire";
import { parseIssueTimestamp } from "./records";
import { MAX_JSONL_CHARS, exceedsChars } from "./jsonl";
import type { IssueCursor } from "./model";

/** Handler-level repo filter check; `full` echoes the whole value (docs/protocol/sync.md#beads-upload), else 50 chars. */
export function checkRepo(repo: string, full = false): string {
  if (!isCanonicalOrigin(repo)) throw unprocessable(`Invalid repo: ${full ? repo : [...repo].slice(0, 50).join("")}`);
  return repo;
}

export function checkBranch(branch: string, full = false): string {
  if (!BRANCH_RE.test(branch)) {
    throw unprocessable(`Invalid branch name: ${full ? branch : [...branch].slice(0, 50).join("")}`);
  }
  return branch;
}

export const ISSUE_TYPES = ["bug", "chore", "epic", "feature", "task"];
export const ISSUE_STATUSES = ["closed", "in_progress", "open"];

export function parseStatuses(raw: string | undefined): string[] {
  if (!raw) return [];
  const list = raw.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !ISSUE_STATUSES.includes(s));
  if (bad.length > 0) throw unprocessable(`Invalid status: ${bad.join(", ")}. Must be one of: ${ISSUE_STATUSES.join(", ")}`);
  return list;
}

export function parseType(raw: string | undefined): string | null {
  if (!raw) return null;
  if (!ISSUE_TYPES.includes(raw)) throw unprocessable(`Invalid issue type: ${raw}. Must be one of: ${ISSUE_TYPES.join(", ")}`);
  return raw;
}

/**
 * Cursor {sort_time, priority, bead_id} (docs/protocol/sync.md#beads-issues). Keys absent (or null, for
 * sort_time/bead_id) count as missing; some-but-not-all → 422. priority may be
 * null: the last row of a page can have no priority.
 */
export function parseIssueCursor(raw: string | undefined): IssueCursor | null {
  const c = decodeCursor(raw);
  if (!c) return null;
  const present = [c.sort_time != null, "priority" in c, c.bead_id != null];
  if (!present.some(Boolean)) return null;
  if (!present.every(Boolean)) {
    throw unprocessable("Invalid cursor: incomplete sort key (missing sort_time, priority, or bead_id)");
  }
  const sortTime = parseIssueTimestamp(c.sort_time);
  if (sortTime === null) throw unprocessable(`Invalid cursor: bad timestamp (${String(c.sort_time)})`);
  const priority = c.priority;
  const isInt4 = (v: unknown) => typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= 2147483647;
  if (priority !== null && !isInt4(priority)) {
    throw unprocessable("Invalid cursor: priority must be an integer or null");
  }
  if (typeof c.bead_id !== "string") throw unprocessable("Invalid cursor: bead_id must be a string");
  return { sortTime, priority: priority as number | null, beadId: c.bead_id };
}

/** 10 MiB measured in characters, like pydantic's max_length (docs/protocol/sync.md#beads-upload, docs/protocol/sync.md#beads-issues). */
export function checkJsonlSize(value: string | null | undefined, loc: (string | number)[]): void {
  if (value == null || !exceedsChars(value, MAX_JSONL_CHARS)) return;
  throw new AppError(422, [
    {
      type: "string_too_long",
      loc,
      msg: `String should have at most ${MAX_JSONL_CHARS} characters`,
      input: value.slice(0, 100) + "...",
      ctx: { max_length: MAX_JSONL_CHARS },
    },
  ]);
}
