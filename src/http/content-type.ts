// JSON routes accept JSON only (issue 19, defect 7). A form-encoded, multipart
// or text/plain body is what a web page can send cross-site without a CORS
// preflight; had such bodies been parsed, any page a visitor opened could create
// projects and keys on a server that visitor can reach
// (docs/protocol/conventions.md#bodies). Bodyless requests pass whatever they
// say, as do routes that read text (the JSONL upload). An absent Content-Type
// passes too: browsers always send one for a body, and FastAPI reads such a
// body as JSON.
import { json } from "./error-handler";

const REFUSED = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]);

/** Routes whose body is text (method + path). */
const TEXT_ROUTES = new Set(["POST /v1/beads/upload-jsonl"]);

function hasBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  if (length !== null) return Number(length) > 0;
  // chunked on the wire; a Request built in process carries no length header
  return request.headers.has("transfer-encoding") || request.body !== null;
}

/** onRequest check: a 415 for a refused media type on a JSON route, else undefined. */
export function rejectNonJsonBody(request: Request): Response | undefined {
  const type = request.headers.get("content-type");
  if (type === null) return undefined;
  const media = type.split(";")[0].trim().toLowerCase();
  if (!REFUSED.has(media) || !hasBody(request)) return undefined;
  const path = new URL(request.url).pathname.replace(/\/+$/, "");
  if (TEXT_ROUTES.has(`${request.method} ${path}`)) return undefined;
  return json(415, { detail: `Unsupported media type ${media}: send application/json` });
}
