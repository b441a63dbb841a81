// JSONL parsing with the reference's limits and messages
// (docs/protocol/sync.md#beads-parsing, docs/protocol/sync.md#beads-issues): Python universal newlines, Python whitespace stripping, line
// numbers counting every line, a count cap checked before each non-empty line,
// and a depth limit where the root object is depth 0 and scalars count.
import { yieldDue, yieldToOthers } from "../cooperate";
import { PythonJsonError, parsePythonJson } from "./python-json";

export const MAX_JSONL_CHARS = 10 * 1024 * 1024;
export const MAX_ISSUES = 10_000;
export const MAX_JSON_DEPTH = 10;

/** A JSONL error; its message is the 400 detail. */
export class JsonlError extends Error {}

// str.splitlines() boundaries: \r\n, \n, \r, VT, FF, FS, GS, RS, NEL, LS, PS.
const LINE_BREAK_RE = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;
// str.strip() whitespace (str.isspace): note \x1c-\x1f and NEL are included and
// the BOM is not, unlike String.prototype.trim.
function isPyWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isPyWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isPyWhitespace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Length in code points (Python str length), counting a surrogate pair once. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Cheap test first: UTF-16 length is never below the code point count. */
export function exceedsChars(s: string, max: number): boolean {
  return s.length > max && codePointLength(s) > max;
}

function withinDepth(value: unknown, max: number, depth: number): boolean {
  if (depth >= max) return false;
  if (Array.isArray(value)) return value.every((v) => withinDepth(v, max, depth + 1));
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) if (!withinDepth(v, max, depth + 1)) return false;
  }
  return true;
}

function parseLine(line: string, lineNo: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    // Python's messages (and its NaN/Infinity literals) from the slow reader.
    try {
      return parsePythonJson(line);
    } catch (err) {
      if (err instanceof PythonJsonError) throw new JsonlError(`Invalid JSON on line ${lineNo}: ${err.message}`);
      throw err;
    }
  }
}

/** Async only to let other requests run between slices of a large body. */
export async function parseJsonl(
  content: string,
  { maxDepth = MAX_JSON_DEPTH, maxCount = MAX_ISSUES }: { maxDepth?: number; maxCount?: number } = {},
): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  const lines = content.split(LINE_BREAK_RE);
  // "a\n".splitlines() is ["a"]: a trailing break does not open a new line.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (let n = 0; n < lines.length; n++) {
    if (yieldDue(n)) await yieldToOthers();
    const line = pyStrip(lines[n]);
    if (line === "") continue;
    if (records.length >= maxCount) throw new JsonlError(`Too many issues: exceeds limit of ${maxCount}`);
    const lineNo = n + 1;
    const value = parseLine(line, lineNo);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new JsonlError(`JSON on line ${lineNo} must be an object`);
    }
    if (!withinDepth(value, maxDepth, 0)) {
      throw new JsonlError(`JSON nesting depth exceeds limit (${maxDepth}) on line ${lineNo}`);
    }
    records.push(value as Record<string, unknown>);
  }
  return records;
}
