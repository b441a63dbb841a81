// The OpenAPI 3.1 document, built from the mounted routes: their TypeBox
// request schemas (params, query, body) and the responses `describe()`
// declared (src/http/openapi.ts). OpenAPI 3.1's schemas are JSON Schema, so
// TypeBox's output goes in as it is (`t.Nullable` → `anyOf [..., null]`
// included, which 3.0 cannot say). Built once, on the first request for it.
import type { AnyElysia } from "elysia";
import { VERSION } from "../version";

interface RouteRecord {
  method: string;
  path: string;
  hooks?: {
    body?: unknown;
    query?: unknown;
    params?: unknown;
    detail?: { summary?: string; tags?: string[]; responses?: unknown; hide?: boolean; security?: unknown; [k: string]: unknown };
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const METHODS = new Set(["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"]);

/** Routes anyone who can reach the port may call (docs/protocol/auth.md). */
const PUBLIC = new Set(["GET /health", "GET /metrics", "POST /v1/init", "GET /swagger", "GET /swagger/json", "GET /"]);

/** A plain-JSON copy (TypeBox's symbols and transforms dropped), with Elysia-only keys removed. */
function plain(schema: unknown): JsonObject | null {
  if (!schema || typeof schema !== "object") return null;
  const copy = JSON.parse(JSON.stringify(schema)) as JsonObject;
  const strip = (node: Json): void => {
    if (Array.isArray(node)) return node.forEach(strip);
    if (!node || typeof node !== "object") return;
    // TypeBox's `Date` etc. are not JSON Schema types; Elysia's `t.Numeric` is already {type: number}.
    if (node.type === "Date") {
      node.type = "string";
      node.format = "date-time";
    }
    for (const key of Object.keys(node)) {
      if (key === "$id" || key === "default" && node[key] === undefined) delete node[key];
      else strip(node[key]);
    }
  };
  strip(copy);
  return copy;
}

function parameters(route: RouteRecord): Json[] {
  const out: Json[] = [];
  const pathNames = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
  const params = plain(route.hooks?.params);
  const paramProps = (params?.properties ?? {}) as JsonObject;
  for (const name of pathNames) {
    out.push({ name, in: "path", required: true, schema: (paramProps[name] as JsonObject | undefined) ?? { type: "string" } });
  }
  const query = plain(route.hooks?.query);
  const required = new Set((query?.required as string[] | undefined) ?? []);
  for (const [name, schema] of Object.entries((query?.properties ?? {}) as JsonObject)) {
    out.push({ name, in: "query", required: required.has(name), schema });
  }
  return out;
}

export function buildOpenApiDocument(app: AnyElysia): JsonObject {
  const paths: Record<string, JsonObject> = {};
  const tags = new Set<string>();
  for (const route of app.router.history as RouteRecord[]) {
    const detail = route.hooks?.detail;
    if (detail?.hide || !METHODS.has(route.method)) continue;
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const op: JsonObject = {};
    if (detail?.summary) op.summary = detail.summary;
    if (detail?.tags) {
      op.tags = detail.tags;
      for (const t of detail.tags) tags.add(t);
    }
    op.operationId = `${route.method.toLowerCase()}${path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())}`;
    const params = parameters(route);
    if (params.length > 0) op.parameters = params;
    const body = plain(route.hooks?.body);
    if (body) op.requestBody = { required: true, content: { "application/json": { schema: body } } };
    op.responses = (plain(detail?.responses) ?? { default: { description: "Not described yet" } }) as JsonObject;
    if (PUBLIC.has(`${route.method} ${route.path}`)) op.security = [];
    else if (detail?.security) op.security = detail.security as Json;
    (paths[path] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "beadhub",
      version: VERSION,
      description:
        "Coordination server for AI coding agents. Authenticate with `Authorization: Bearer <api_key>` " +
        "(the key POST /v1/init returns), or, behind a trusted proxy, with the signed proxy headers.",
    },
    servers: [{ url: "/" }],
    tags: [...tags].sort().map((name) => ({ name })),
    // Either scheme: an API key, or a proxy that authenticated the caller
    // and signs who it is (docs/protocol/auth.md).
    security: [
      { bearerAuth: [] },
      { proxyAuth: [], proxyProject: [], proxyActor: [], proxyUser: [] },
      { proxyAuth: [], proxyProject: [], proxyActor: [], proxyKey: [] },
      { proxyAuth: [], proxyProject: [], proxyActor: [] },
    ],
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "An API key (`aw_sk_…`) from POST /v1/init." },
        proxyAuth: {
          type: "apiKey",
          in: "header",
          name: "X-BH-Auth",
          description:
            "Signed by a trusted proxy: `v2:{project_id}:{principal_type}:{principal_id}:{actor_id}:{hex HMAC-SHA256}` " +
            "with BEADHUB_INTERNAL_AUTH_SECRET; sent with X-Project-ID, X-AWEB-Actor-ID and X-User-ID or X-API-Key.",
        },
        proxyProject: { type: "apiKey", in: "header", name: "X-Project-ID", description: "Project of the signed principal." },
        proxyActor: { type: "apiKey", in: "header", name: "X-AWEB-Actor-ID", description: "Agent acting for the principal." },
        proxyUser: { type: "apiKey", in: "header", name: "X-User-ID", description: "Principal type u (a user)." },
        proxyKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "Principal type k (an API key id)." },
      },
    },
    paths: paths as Json,
  };
}
