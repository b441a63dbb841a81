// The app's single onError: maps AppError, TypeBox validation (422, FastAPI-shaped
// list), unparsable JSON (422), unknown routes (404/405), Postgres failures (409
// for unique violations, 503 when the database is unreachable) and everything
// else (logged with the request id, bland 500).
import { ValueErrorType } from "@sinclair/typebox/errors";
import type { Logger } from "../log";
import { AppError, type ValidationItem } from "./errors";

const TYPE_NAMES: Partial<Record<number, string>> = {
  [ValueErrorType.ObjectRequiredProperty]: "missing",
  [ValueErrorType.ObjectAdditionalProperties]: "extra_forbidden",
  [ValueErrorType.String]: "string_type",
  [ValueErrorType.StringMinLength]: "string_too_short",
  [ValueErrorType.StringMaxLength]: "string_too_long",
  [ValueErrorType.StringPattern]: "string_pattern_mismatch",
  [ValueErrorType.Integer]: "int_type",
  [ValueErrorType.IntegerMinimum]: "greater_than_equal",
  [ValueErrorType.IntegerMaximum]: "less_than_equal",
  [ValueErrorType.Number]: "float_type",
  [ValueErrorType.Boolean]: "bool_type",
  [ValueErrorType.Array]: "list_type",
  [ValueErrorType.ArrayMinItems]: "too_short",
  [ValueErrorType.ArrayMaxItems]: "too_long",
  [ValueErrorType.Object]: "model_attributes_type",
};

interface TypeBoxIssue {
  type: number;
  path: string;
  message: string;
  value?: unknown;
}

export function validationItems(where: string, issues: TypeBoxIssue[]): ValidationItem[] {
  const seen = new Set<string>();
  const items: ValidationItem[] = [];
  for (const issue of issues) {
    if (seen.has(issue.path)) continue; // TypeBox reports "missing" and "wrong type" for one field
    seen.add(issue.path);
    const parts = issue.path.split("/").filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const type = TYPE_NAMES[issue.type] ?? "value_error";
    items.push({
      type,
      loc: [where, ...parts],
      msg: type === "missing" ? "Field required" : type === "extra_forbidden" ? "Extra inputs are not permitted" : issue.message,
      input: issue.value ?? null,
    });
  }
  if (items.length === 0) items.push({ type: "value_error", loc: [where], msg: "Invalid input", input: null });
  return items;
}

/** Postgres errors that mean "the database is not there right now". */
function isDatabaseUnavailable(err: { code?: unknown; message?: unknown }): boolean {
  const code = String(err.code ?? "");
  return (
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006"].includes(code) ||
    /connect|terminat/i.test(String(err.message ?? "")) && code.startsWith("08")
  );
}

/**
 * Postgres "data exception" (SQLSTATE class 22: bad encoding, unsupported
 * escape, invalid JSON text, value out of range) and "program limit exceeded"
 * (class 54: an index row too large (54000), stack depth (54001), too many
 * columns or arguments): the value came from the request. Routes check the
 * sizes they know of first (issue 19); this is the safety net.
 */
function isRejectedValue(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown };
  if (e?.name !== "PostgresError") return false;
  const code = String(e.code ?? "");
  return code.startsWith("22") || code.startsWith("54");
}

/**
 * The client broke the request off: a malformed chunked body, a connection
 * closed while its body was read. Bun reports both while the body is read as
 * "The connection was closed." (issue 19, defect 8). Not a server error.
 */
function isClientFramingError(err: { code?: unknown; message?: unknown; name?: unknown }): boolean {
  const message = String(err.message ?? "");
  return (
    message === "The connection was closed." ||
    err.code === "ECONNRESET" ||
    err.code === "ERR_STREAM_PREMATURE_CLOSE" ||
    err.name === "AbortError"
  );
}

export interface ErrorContext {
  code: string | number;
  error: unknown;
  requestId: string;
  method: string;
  path: string;
  allowedMethods: (path: string) => string[];
  log: Logger;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function handleError(ctx: ErrorContext): Response {
  const { code, error } = ctx;
  if (error instanceof AppError) return json(error.status, { detail: error.detail }, error.headers);
  if (code === "VALIDATION") {
    const e = error as { type?: string; all?: TypeBoxIssue[] };
    const where = e.type === "query" ? "query" : e.type === "params" ? "path" : e.type === "headers" ? "header" : "body";
    return json(422, { detail: validationItems(where, e.all ?? []) });
  }
  if (code === "PARSE") {
    return json(422, { detail: [{ type: "json_invalid", loc: ["body"], msg: "JSON decode error", input: null }] });
  }
  if (code === "NOT_FOUND") {
    const allowed = ctx.allowedMethods(ctx.path);
    if (allowed.length > 0) return json(405, { detail: "Method Not Allowed" }, { allow: allowed.join(", ") });
    return json(404, { detail: "Not Found" });
  }
  const err = (error ?? {}) as { code?: unknown; message?: unknown; status?: unknown };
  if (err.code === "23505") return json(409, { detail: "Conflict: the resource already exists" });
  if (isRejectedValue(error)) {
    // A value Postgres cannot store (NUL in text, \u0000 or a lone surrogate in
    // JSON, nesting past its stack limit): the client's input, so a 422, not a 500.
    ctx.log.warning("value rejected by the database", { request_id: ctx.requestId, path: ctx.path, code: String(err.code) });
    return json(422, { detail: `Invalid input: ${String(err.message)}` });
  }
  if (isDatabaseUnavailable(err)) {
    ctx.log.error("database unavailable", { request_id: ctx.requestId, error: String(err.message) });
    return json(503, { detail: "Database unavailable, try again shortly" }, { "retry-after": "1" });
  }
  if (isClientFramingError(err)) {
    // Nobody may be left to read this answer; the line says what happened.
    ctx.log.info("client framing error: request body broken off", {
      request_id: ctx.requestId,
      method: ctx.method,
      path: ctx.path,
      error: String(err.message ?? error),
    });
    return json(400, { detail: "Malformed or incomplete request body" }, { connection: "close" });
  }
  if (code === "INVALID_COOKIE_SIGNATURE" || code === "INVALID_FILE_TYPE") {
    return json(400, { detail: String(err.message ?? "Bad request") });
  }
  ctx.log.error("unhandled error", {
    request_id: ctx.requestId,
    method: ctx.method,
    path: ctx.path,
    error: String(err.message ?? error),
    stack: error instanceof Error ? error.stack : undefined,
  });
  return json(500, { detail: "Internal Server Error", request_id: ctx.requestId });
}
