// A nesting limit for JSON request bodies, checked before anything parses them.
// Without it a small body of nested brackets ("[[[[…", 128 KB) made the
// validation error path (Elysia's pretty-printed error message, quadratic in the
// depth, then a stack overflow) block the whole process for ~30 s and answer
// 500. No request of this API nests anywhere near the limit.
import { json } from "./error-handler";

export const MAX_JSON_DEPTH = 256;

/** True when array/object nesting (counted outside strings) goes past `max`. */
export function jsonDepthExceeds(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * onRequest check: a JSON body nested deeper than MAX_JSON_DEPTH answers the
 * same 422 as an unparsable body. It reads a clone, so the route's own parser
 * still sees the body. Valid JSON nested d deep takes at least 2d bytes (every
 * bracket is closed), and invalid JSON never reaches validation, so bodies
 * shorter than 2 × (MAX_JSON_DEPTH + 1) bytes (most requests) are not cloned.
 */
export async function rejectDeepJson(request: Request): Promise<Response | undefined> {
  // Headers first: reading request.body builds a stream (about a microsecond
  // per request, and the route's own read then goes through it).
  if (!(request.headers.get("content-type") ?? "").toLowerCase().includes("json")) return;
  const length = Number(request.headers.get("content-length") ?? NaN);
  if (length < 2 * (MAX_JSON_DEPTH + 1) || request.body === null) return;
  if (!jsonDepthExceeds(await request.clone().text())) return;
  return json(422, { detail: [{ type: "json_invalid", loc: ["body"], msg: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, input: null }] });
}
