// Bad input, every route (issue 9 §1). The route table comes from the app's
// OpenAPI document; each route's valid example request is broken in every way
// the generator knows (test/support/fuzz/), then randomly until the budget is
// reached. Seeded: the seed is printed and FUZZ_SEED=<n> replays a run.
//
// Pass 1 (must fail): every answer is a 4xx with a JSON `detail`, and no table
// gains or loses a row. Pass 2 (hostile values in otherwise valid requests,
// which may succeed): no 5xx, always JSON, every 4xx has a `detail`.
import { afterAll, describe, expect, test } from "bun:test";
import { createLogger, silentLogger } from "../src/log";
import { startTestApp } from "./support/harness";
import { describeCase, profile, runAll, statusHistogram, type Answer, type Case } from "./support/fuzz/cases";
import { rowCounts } from "./support/fuzz/db-snapshot";
import { exampleFor, hasExample } from "./support/fuzz/examples";
import { hostileCases } from "./support/fuzz/hostile";
import { mustFailCases, type FuzzContext } from "./support/fuzz/must-fail";
import { loadRoutes, type Route } from "./support/fuzz/openapi";
import { mcpCases, randomCase } from "./support/fuzz/random";
import { createRng, seedFromEnv } from "./support/fuzz/rng";
import { buildWorld } from "./support/fuzz/world";

const SEED = seedFromEnv();
const MUST_FAIL_BUDGET = Number(process.env.FUZZ_REQUESTS ?? 20_000);
const SECRET = "fuzz-proxy-secret";
const MAX_BODY = 128 * 1024; // small, so oversized bodies are cheap; still fits a 100 KB string

console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);

// FUZZ_LOG=1 prints the server's error log (the stack of any 500).
const log = process.env.FUZZ_LOG ? createLogger("error", true, (line) => process.stderr.write(line + "\n")) : silentLogger;
// The production auth cache (5 s): without it every request also writes api_keys.last_used_at.
const t = await startTestApp({ config: { maxBodyBytes: MAX_BODY, internalAuthSecret: SECRET, authCacheSeconds: 5 }, log });
afterAll(() => t.close());
const world = await buildWorld(t, "fz");
const routes = await loadRoutes(t);
const methodsByPath = new Map<string, Set<string>>();
for (const r of routes) methodsByPath.set(r.path, new Set([...(methodsByPath.get(r.path) ?? []), r.method]));
const ctx: FuzzContext = { world, secret: SECRET, maxBodyBytes: MAX_BODY, methodsByPath };

/**
 * POST /mcp fails as MCP does (docs/protocol/mcp.md): 200 with a JSON-RPC
 * error or a tool result with isError, or a 4xx whose body is a JSON-RPC
 * error. Never -32603 (a bug), never a 5xx. null = not an MCP-shaped answer.
 */
function mcpFailure(a: Answer): string | null | undefined {
  if (!a.jsonOk) return "body is not JSON";
  if (a.status >= 500) return `status ${a.status}`;
  if (Array.isArray(a.json)) {
    // A batch: every element must be a refusal.
    if (a.status !== 200) return `status ${a.status}`;
    if (a.json.some((r: any) => r?.error?.code === -32603)) return "JSON-RPC internal error";
    return a.json.every((r: any) => r?.error || r?.result?.isError === true) ? null : "JSON-RPC call succeeded";
  }
  if (a.json?.error?.code === -32603) return "JSON-RPC internal error";
  if (a.status === 200) return a.json?.error || a.json?.result?.isError === true ? null : "JSON-RPC call succeeded";
  if (a.status >= 400 && a.json?.jsonrpc === "2.0" && a.json.error) return null;
  return undefined; // an app-wide refusal (413, 415, 422): judged like any route
}

/** A failed request's answer: 4xx, JSON, with detail (POST /mcp: see mcpFailure). */
function mustFailProblem(c: Case, a: Answer): string | null {
  if (c.route.key === "POST /mcp") {
    const verdict = mcpFailure(a);
    if (verdict !== undefined) return verdict;
  }
  if (a.status < 400 || a.status >= 500) return `status ${a.status}`;
  if (!a.jsonOk) return "body is not JSON";
  if (!a.contentType.startsWith("application/json")) return `content-type ${a.contentType}`;
  if (a.json === null || typeof a.json !== "object" || !("detail" in a.json)) return "no detail";
  return null;
}

function mayFailProblem(c: Case, a: Answer): string | null {
  if (a.status >= 500) return `status ${a.status}`;
  if (c.route.key === "POST /mcp" && a.jsonOk && a.json?.jsonrpc === "2.0") {
    return a.json.error?.code === -32603 ? "JSON-RPC internal error" : null;
  }
  if (a.contentType.startsWith("text/event-stream")) return null;
  if (a.status === 304) return null;
  if (!a.jsonOk) return "body is not JSON";
  if (a.status >= 400 && !(a.json && typeof a.json === "object" && "detail" in a.json)) return "4xx without detail";
  return null;
}

function check(cases: Case[], answers: Answer[], problemOf: (c: Case, a: Answer) => string | null): string[] {
  const problems: string[] = [];
  cases.forEach((c, i) => {
    const p = problemOf(c, answers[i]);
    if (p) problems.push(`${p}: ${describeCase(c, answers[i])}`);
  });
  return problems;
}

function mustFailPlan(): Case[] {
  const rng = createRng(SEED);
  const cases: Case[] = [];
  const examples = new Map(routes.map((r) => [r.key, exampleFor(r, world)]));
  for (const r of routes) {
    const ex = examples.get(r.key)!;
    if (r.key === "POST /mcp") cases.push(...mcpCases(r, ex, ctx, rng));
    cases.push(...mustFailCases(r, ex, ctx, rng));
  }
  const fillable: Route[] = routes.filter((r) => r.key !== "GET /health");
  while (cases.length < MUST_FAIL_BUDGET) {
    const r = rng.pick(fillable);
    const c = randomCase(r, examples.get(r.key)!, ctx, rng);
    if (c) cases.push(c);
  }
  return cases;
}

describe("bad input on every route", () => {
  test("the route table covers the whole API and every route has an example", () => {
    expect(routes.length).toBeGreaterThan(50);
    for (const must of ["POST /v1/init", "POST /v1/bdh/sync", "GET /v1/chat/sessions/{id}/stream", "POST /mcp", "GET /v1/status/stream"]) {
      expect(routes.map((r) => r.key)).toContain(must);
    }
    // A route without an example is still fuzzed (schema-derived request), but
    // its hostile-value pass is weaker: keep the table complete.
    expect(routes.filter((r) => !hasExample(r)).map((r) => r.key)).toEqual([]);
  });

  test(`≥10,000 requests that must fail: 4xx + JSON detail, no row changed (seed ${SEED})`, async () => {
    const cases = mustFailPlan();
    expect(cases.length).toBeGreaterThanOrEqual(10_000);
    const before = await rowCounts(t.sql);
    const started = performance.now();
    const answers = await runAll(t, cases, Number(process.env.FUZZ_CONCURRENCY ?? 8));
    const ms = performance.now() - started;
    console.log(`must-fail: ${cases.length} requests over ${routes.length} routes in ${Math.round(ms)} ms`);
    if (process.env.FUZZ_PROFILE) console.log(profile(cases, answers), statusHistogram(cases, answers));
    const problems = check(cases, answers, mustFailProblem);
    expect(problems.slice(0, 40)).toEqual([]);
    expect(await rowCounts(t.sql)).toEqual(before);
  }, 120_000);

  test(`hostile values in valid requests never cause a 5xx (seed ${SEED})`, async () => {
    const rng = createRng(SEED ^ 0x9e3779b9);
    const cases: Case[] = [];
    for (const r of routes) cases.push(...hostileCases(r, exampleFor(r, world), ctx, rng));
    const started = performance.now();
    const answers = await runAll(t, cases, 4);
    console.log(`hostile: ${cases.length} requests in ${Math.round(performance.now() - started)} ms`);
    if (process.env.FUZZ_PROFILE) console.log(profile(cases, answers));
    expect(check(cases, answers, mayFailProblem).slice(0, 40)).toEqual([]);
    // The server is still healthy afterwards.
    expect((await t.request("GET", "/health")).status).toBe(200);
  }, 120_000);
});
