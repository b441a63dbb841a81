// Route documentation: what a route answers, declared once from the feature's
// TypeBox models. `describe()` gives Elysia's `detail` (summary, tag and the
// OpenAPI responses); the same schemas are checked against every answer the
// test suite sees (checkResponses), so the docs and the code cannot drift.
// Production does not validate answers: that costs CPU on the hot routes and
// would turn a drift into an outage instead of a failing test (docs/decisions.md).
import { ElysiaCustomStatusResponse, type AnyElysia } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { ErrorBody } from "./model";

/** Status code → body schema (null: no body, e.g. 204/202). */
export type Responses = Record<number, TSchema | null>;

const declared = new WeakMap<object, Responses>();

const description = (status: number) =>
  ({ 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad request", 401: "Not authenticated",
     403: "Forbidden", 404: "Not found", 409: "Conflict", 410: "Gone", 413: "Too large", 415: "Unsupported media type",
     422: "Invalid input", 429: "Too many requests", 503: "Unavailable" })[status] ?? `HTTP ${status}`;

/**
 * `detail` for a route. Error statuses listed without a schema answer the
 * common `{"detail": …}` body; 422 is always documented.
 */
export function describe(
  summary: string,
  tag: string,
  responses: Responses,
  errors: number[] = [],
  extra: Record<string, unknown> = {},
) {
  const all: Responses = { ...responses };
  for (const status of new Set([...errors, 422])) if (!(status in all)) all[status] = ErrorBody;
  const openapi: Record<string, { description: string; content?: Record<string, { schema: TSchema }> }> = {};
  for (const [status, schema] of Object.entries(all)) {
    openapi[status] = schema === null
      ? { description: description(Number(status)) }
      : { description: description(Number(status)), content: { "application/json": { schema } } };
  }
  const detail = { summary, tags: [tag], responses: openapi, ...extra };
  declared.set(detail, all);
  return detail;
}

/**
 * `detail` for a Server-Sent Events route: 200 is a `text/event-stream`
 * (its events are described in docs/protocol/events.md), errors are JSON.
 */
export function describeStream(summary: string, tag: string, errors: number[] = []) {
  const detail = describe(summary, tag, { 200: null }, errors);
  detail.responses[200] = {
    description: "Server-Sent Events",
    content: { "text/event-stream": { schema: { type: "string" } as unknown as TSchema } },
  };
  return detail;
}

interface RouteRecord {
  method: string;
  path: string;
  hooks?: { detail?: object };
}

/**
 * Tests: every 2xx JSON answer of a described route must match its declared
 * schema, or the request fails loudly with the schema error (a 500 the test
 * sees). Installed only when config.checkResponses is on.
 */
export function checkResponses(app: AnyElysia): void {
  type Checks = Map<string, Map<number, TypeCheck<TSchema> | null>>;
  let checks: Checks | null = null;
  // Built on first use: the hook is installed before the routes are mounted.
  const build = (): Checks => {
    checks = new Map();
    for (const route of app.router.history as RouteRecord[]) {
      const responses = route.hooks?.detail ? declared.get(route.hooks.detail) : undefined;
      if (!responses) continue;
      const byStatus = new Map<number, TypeCheck<TSchema> | null>();
      for (const [status, schema] of Object.entries(responses)) {
        byStatus.set(Number(status), schema === null ? null : TypeCompiler.Compile(schema));
      }
      checks.set(`${route.method} ${route.path}`, byStatus);
    }
    return checks;
  };
  app.onAfterHandle({ as: "global" }, ({ request, route, response: answer, set }) => {
    const byStatus = (checks ?? build()).get(`${request.method} ${route}`);
    if (!byStatus || answer instanceof Response) return;
    // `status(409, body)` from a handler arrives here still wrapped.
    const custom = answer instanceof ElysiaCustomStatusResponse ? (answer as ElysiaCustomStatusResponse<number, unknown>) : null;
    const status = custom ? Number(custom.code) : typeof set.status === "number" ? set.status : 200;
    // A route that serializes its own JSON (MCP) is checked on what it sends.
    const response: unknown = custom
      ? custom.response
      : typeof answer === "string" && set.headers["content-type"] === "application/json"
        ? JSON.parse(answer)
        : answer;
    const check = byStatus.get(status);
    if (check === undefined) throw new Error(`undeclared status ${status} for ${request.method} ${route}`);
    if (check === null) return;
    if (!check.Check(response)) {
      const first = [...check.Errors(response)].slice(0, 3).map((e) => `${e.path}: ${e.message}`);
      throw new Error(`response of ${request.method} ${route} does not match its schema: ${first.join("; ")}`);
    }
  });
}
