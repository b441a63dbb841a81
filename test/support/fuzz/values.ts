// Hostile values. Each list is what a confused or malicious client might send;
// the fuzz test combines them with the route table.

const HUGE = "a".repeat(100_000);

/** Strings that are never a valid UUID in any spelling. */
export const BAD_UUIDS = [
  "",
  " ",
  "not-a-uuid",
  "00000000-0000-0000-0000-00000000000",
  "00000000-0000-0000-0000-0000000000000",
  "gggggggg-gggg-gggg-gggg-gggggggggggg",
  "123",
  "-1",
  "null",
  "undefined",
  "{}",
  "[]",
  "' or '1'='1",
  "1; drop table aweb.agents; --",
  "../../etc/passwd",
  "%00",
  "\u0000",
  "abc\u0000def",
  "\u0001\u0002\u0003\u001f",
  "\n",
  "\r\n",
  "\t",
  "😀",
  "\u202e",
  "\ud800",
  "ａｂｃ",
  "x".repeat(37),
  "0".repeat(10_000),
  HUGE,
];

/** Not an integer, or far outside any limit. */
export const BAD_INTS = ["-1", "-999999999999", "99999999999999999999", "1e9", "1.5", "abc", "0x10", "NaN", "Infinity", " ", "1 2", "\u0000", "٣", HUGE];

export const BAD_BOOLS = ["maybe", "2", "-1", "truee", "yes please", "\u0000", "null", "[]", "tru\u0000e", HUGE];

/** Cursors that are not URL-safe base64 of a JSON object. */
export const BAD_CURSORS = [
  "!!!",
  "not base64?",
  "%%%",
  "\u0000",
  Buffer.from("not json").toString("base64url"),
  Buffer.from("[1,2,3]").toString("base64url"),
  Buffer.from("42").toString("base64url"),
  Buffer.from("null").toString("base64url"),
  Buffer.from('"str"').toString("base64url"),
  // Every cursor key of every route present, each one of the wrong type or unparsable.
  Buffer.from(JSON.stringify({ created_at: "yesterday", id: "x", sort_time: "yesterday", priority: "x", bead_id: 7, updated_at: "x", alias: 1 })).toString("base64url"),
  Buffer.from(JSON.stringify({ created_at: { $gt: "" }, id: [], sort_time: [], priority: {}, bead_id: {}, updated_at: [], alias: [] })).toString("base64url"),
  "A".repeat(9000),
  Buffer.from(JSON.stringify({ pad: "x".repeat(9000) })).toString("base64url"),
];

export const BAD_TIMESTAMPS = ["", "yesterday", "2026-13-45T99:99:99Z", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01", "1e12", "-1", "\u0000", HUGE];

/** Strings that may be accepted somewhere but must never cause a 5xx. */
export const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0001\u0007\b\u001b[31m\u007f",
  "line\nbreak\r\n",
  "\t\t",
  "\ud800",
  "\udfff\ud800",
  "😀👍🏽",
  "\u202eevil",
  "\ufeffbom",
  "ｆｕｌｌｗｉｄｔｈ",
  "' or 1=1 --",
  "'; drop table aweb.agents; --",
  "$1",
  "%s%s%n",
  "${jndi:ldap://x}",
  "<script>alert(1)</script>",
  "../../../etc/passwd",
  "null",
  "__proto__",
  "constructor",
  "-1",
  "9".repeat(400),
  HUGE,
  "é".repeat(50_000),
];

/** Query values for free-text filters (repo, branch, alias, q, ...). */
export const HOSTILE_QUERY = [...HOSTILE_STRINGS.filter((s) => s !== "\ud800" && s !== "\udfff\ud800"), "%", "_", "*", "\\", "a%_\\b"];

/** JSON values of every type, to put where a different type is declared. */
export const ANY_JSON: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, "", "x", [], [1, "a"], {}, { a: 1 }];

/** Text that is not valid JSON (sent with content-type application/json). */
export const MALFORMED_JSON = [
  "{",
  "}",
  "{\"a\":",
  "{\"a\":1,}",
  "{'a':1}",
  "{a:1}",
  "[1,2",
  "nul",
  "tru",
  "NaN",
  "{\"a\":NaN}",
  "{\"a\":Infinity}",
  "{\"a\":1}}",
  "{\"a\":1} trailing",
  "\u0000",
  "\ufeff{",
  "{\"a\":\"\u0000\"",
  "{\"a\":\"\\ud800\"",
  "{\"a\":\"\\x41\"}",
  "{\"a\":01}",
  "{\"a\":.5}",
  "{\"a\":+1}",
  "{\"a\":\"unterminated}",
  "[".repeat(5000),
  "{\"a\":" + "[".repeat(10_000),
  "{" + "\"k\":1,".repeat(2000),
];

/** Deeply nested JSON value (arrays), depth n. */
export function deepArray(n: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

/** Deeply nested JSON object, depth n. */
export function deepObject(n: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < n; i++) v = { d: v };
  return v;
}

/** A random UUID that names nothing. */
export const unknownUuid = () => crypto.randomUUID();
