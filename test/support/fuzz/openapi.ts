// The route table, read from the app's own OpenAPI document (GET /swagger/json),
// so a route added anywhere in src/ is fuzzed without touching this folder.
import type { TestApp } from "../harness";

export type JsonSchema = Record<string, any>;

export interface Route {
  method: "GET" | "POST" | "DELETE" | "PUT" | "PATCH";
  /** OpenAPI form, e.g. "/v1/chat/sessions/{id}/messages". */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** The application/json request schema, or null when the route declares no body. */
  body: JsonSchema | null;
  /** Server-Sent Events route: only invalid parameters are sent (they must 4xx before streaming). */
  stream: boolean;
  key: string;
}

export async function loadRoutes(t: TestApp): Promise<Route[]> {
  const res = await t.request("GET", "/swagger/json");
  if (res.status !== 200) throw new Error(`GET /swagger/json answered ${res.status}`);
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(res.body.paths as Record<string, Record<string, JsonSchema>>)) {
    // Neither takes any input that could be bad: the docs, and the Prometheus text of /metrics.
    if (path.startsWith("/swagger") || path === "/metrics") continue;
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? []) as { name: string; in: string }[];
      const m = method.toUpperCase() as Route["method"];
      routes.push({
        method: m,
        path,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        queryParams: params.filter((p) => p.in === "query").map((p) => p.name),
        body: op.requestBody?.content?.["application/json"]?.schema ?? null,
        stream: path.endsWith("/stream"),
        key: `${m} ${path}`,
      });
    }
  }
  return routes;
}

/** encodeURIComponent, except that lone surrogates become their (invalid) WTF-8 bytes instead of throwing. */
function encodeLenient(v: string): string {
  let out = "";
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < v.length && (v.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(v.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => "%" + b.toString(16).toUpperCase()).join("");
    } else {
      out += encodeURIComponent(v[i]);
    }
  }
  return out;
}

/** Fill "{name}" segments; values are URL-encoded. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for path parameter ${name} of ${path}`);
    return encodeLenient(v);
  });
}

export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const entries = Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][];
  if (entries.length === 0) return path;
  return path + "?" + new URLSearchParams(entries).toString();
}
