// A fuzz case: one concrete HTTP request plus a label that says how it was
// made, so a failure can be read (and replayed with the printed seed).
import type { TestApp } from "../harness";
import type { Example } from "./examples";
import { fillPath, withQuery, type Route } from "./openapi";

export interface Case {
  label: string;
  route: Route;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Answer {
  status: number;
  ms: number;
  contentType: string;
  text: string;
  json: any;
  jsonOk: boolean;
}

export interface CaseParts {
  method?: string;
  pathParams?: Record<string, string>;
  query?: Record<string, string | undefined>;
  /** JSON value to serialize; `undefined` in the map means "no body". */
  body?: unknown;
  raw?: { text: string; contentType: string } | null;
  /** Replaces authentication headers entirely (undefined = the example's token). */
  auth?: Record<string, string>;
  headers?: Record<string, string>;
}

/** Build a case from a route's example with some parts replaced. */
export function makeCase(route: Route, ex: Example, label: string, parts: CaseParts = {}): Case {
  const headers: Record<string, string> = {};
  if (parts.auth) Object.assign(headers, parts.auth);
  else if (ex.token) headers.authorization = `Bearer ${ex.token}`;
  let body: string | undefined;
  const raw = parts.raw !== undefined ? parts.raw : "body" in parts ? null : ex.raw ?? null;
  if (raw) {
    body = raw.text;
    headers["content-type"] = raw.contentType;
  } else {
    const value = "body" in parts ? parts.body : ex.body;
    if (value !== undefined) {
      body = JSON.stringify(value);
      headers["content-type"] = "application/json";
    }
  }
  Object.assign(headers, parts.headers ?? {});
  const path = fillPath(route.path, { ...ex.pathParams, ...parts.pathParams });
  const query = { ...ex.query, ...parts.query };
  return { label, route, method: parts.method ?? route.method, url: withQuery(path, query), headers, body };
}

export async function send(t: TestApp, c: Case): Promise<Answer> {
  const init: RequestInit = { method: c.method, headers: c.headers };
  if (c.body !== undefined && c.method !== "GET" && c.method !== "HEAD") init.body = c.body;
  const controller = new AbortController();
  init.signal = controller.signal;
  const started = performance.now();
  const res = await t.handle.app.handle(new Request("http://localhost" + c.url, init));
  const contentType = res.headers.get("content-type") ?? "";
  if (contentType.startsWith("text/event-stream")) {
    controller.abort();
    await res.body?.cancel().catch(() => {});
    return { status: res.status, ms: performance.now() - started, contentType, text: "", json: null, jsonOk: false };
  }
  const text = await res.text();
  let json: any = null;
  let jsonOk = false;
  try {
    json = JSON.parse(text);
    jsonOk = true;
  } catch {
    /* not JSON */
  }
  return { status: res.status, ms: performance.now() - started, contentType, text, json, jsonOk };
}

/** Run cases with bounded concurrency; returns answers in case order. */
export async function runAll(t: TestApp, cases: Case[], concurrency = 8): Promise<Answer[]> {
  const answers: Answer[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      answers[i] = await send(t, cases[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

export function describeCase(c: Case, a: Answer): string {
  const body = c.body === undefined ? "" : ` body=${JSON.stringify(c.body.length > 300 ? c.body.slice(0, 300) + "…" : c.body)}`;
  return `[${c.label}] ${c.method} ${c.url.length > 300 ? c.url.slice(0, 300) + "…" : c.url}${body} → ${a.status} ${a.text.slice(0, 300)}`;
}

/** Where the time went, by route and by kind of case (FUZZ_PROFILE=1). */
export function profile(cases: Case[], answers: Answer[]): string {
  const by = new Map<string, { n: number; ms: number }>();
  cases.forEach((c, i) => {
    const kind = c.label.replace(/[ =].*$/, "");
    for (const k of [c.route.key, "kind " + kind]) {
      const e = by.get(k) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += answers[i].ms;
      by.set(k, e);
    }
  });
  return [...by.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 25)
    .map(([k, e]) => `${Math.round(e.ms)} ms  ${e.n}×  ${k}`)
    .join("\n");
}

/** Status codes per kind of case (FUZZ_PROFILE=1): shows which check answered. */
export function statusHistogram(cases: Case[], answers: Answer[]): string {
  const by = new Map<string, Map<number, number>>();
  cases.forEach((c, i) => {
    const kind = c.label.replace(/^(random: )?([a-z-]+( [a-z]+)?).*$/, "$1$2");
    const m = by.get(kind) ?? new Map<number, number>();
    m.set(answers[i].status, (m.get(answers[i].status) ?? 0) + 1);
    by.set(kind, m);
  });
  return [...by.entries()].map(([k, m]) => `${k}: ${[...m.entries()].sort().map(([s, n]) => `${s}×${n}`).join(" ")}`).join("\n");
}
