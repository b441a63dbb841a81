import { afterAll, describe, expect, test } from "bun:test";
import { createLogger } from "../src/log";
import { MAX_JSON_DEPTH } from "../src/http/json-depth";
import { startTestApp } from "./support/harness";

const lines: string[] = [];
const t = await startTestApp({ config: { maxBodyBytes: 4096 }, log: createLogger("info", true, (l) => lines.push(l)) });
afterAll(() => t.close());

describe("error model", () => {
  test("unknown path → 404 Not Found", async () => {
    const res = await t.request("GET", "/v1/nowhere");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "Not Found" });
  });

  test("known path, wrong method → 405 with Allow", async () => {
    const res = await t.request("DELETE", "/v1/init");
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: "Method Not Allowed" });
    expect(res.headers.get("allow")).toContain("POST");
  });

  test("a body over the limit is refused before parsing", async () => {
    // Bun.serve enforces the same limit (maxRequestBodySize) for bodies without a length.
    const raw = JSON.stringify({ project_slug: "x".repeat(5000) });
    const headers = { "content-type": "application/json", "content-length": String(raw.length) };
    const res = await t.request("POST", "/v1/init", { raw, headers });
    expect(res.status).toBe(413);
    expect(res.body.detail).toContain("too large");
  });

  test("JSON nested past MAX_JSON_DEPTH (256) levels → 422 before parsing; 256 levels reach the route's own validation", async () => {
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth); // the shortest body of that depth
    const post = (raw: string) =>
      t.request("POST", "/v1/init", { raw, headers: { "content-type": "application/json", "content-length": String(raw.length) } });
    expect(MAX_JSON_DEPTH).toBe(256);
    const deep = await post(nested(257));
    expect(deep.status).toBe(422);
    expect(deep.body.detail[0]).toMatchObject({ type: "json_invalid", loc: ["body"], msg: "JSON nested deeper than 256 levels" });
    const allowed = await post(nested(256));
    expect(allowed.status).toBe(422);
    expect(allowed.body.detail[0].msg).not.toContain("nested deeper");
  });

  test("every response carries a request id; a sane incoming one is echoed", async () => {
    const res = await t.request("GET", "/health", { headers: { "x-request-id": "abc-123" } });
    expect(res.headers.get("x-request-id")).toBe("abc-123");
    const other = await t.request("GET", "/nowhere", { headers: { "x-request-id": "bad id with spaces" } });
    expect(other.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("one JSON log line per request with method, path, status, duration and request id; no secrets", async () => {
    lines.length = 0;
    await t.request("GET", "/v1/auth/introspect", { token: "aw_sk_" + "f".repeat(64), headers: { "x-request-id": "log-check" } });
    await Bun.sleep(10);
    const records = lines.map((l) => JSON.parse(l)).filter((r) => r.request_id === "log-check");
    expect(records.length).toBe(1);
    expect(records[0]).toMatchObject({ level: "info", msg: "request", method: "GET", path: "/v1/auth/introspect", status: 401 });
    expect(typeof records[0].duration_ms).toBe("number");
    expect(lines.join("\n")).not.toContain("f".repeat(64));
  });

  test("OpenAPI document lists the routes", async () => {
    const res = await t.request("GET", "/swagger/json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toContain("/v1/init");
  });
});

describe("GET /health", () => {
  test("ok when Postgres and Redis answer", async () => {
    const res = await t.request("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", checks: { redis: "ok", database: "ok" } });
  });

  test("503 unhealthy when Redis is gone", async () => {
    const broken = await startTestApp();
    try {
      broken.redis.disconnect();
      const res = await broken.request("GET", "/health");
      expect(res.status).toBe(503);
      expect(res.body.status).toBe("unhealthy");
      expect(res.body.checks.database).toBe("ok");
      expect(res.body.checks.redis).toStartWith("error:");
    } finally {
      await broken.close();
    }
  });
});

describe("schema strictness", () => {
  test("strict bodies (init) reject unknown keys; lenient bodies ignore them", async () => {
    const strict = await t.request("POST", "/v1/init", { body: { project_slug: "s", zz: 1 } });
    expect(strict.status).toBe(422);
    expect(strict.body.detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "zz"] });
    const lenient = await t.request("POST", "/v1/agents/suggest-alias-prefix", { body: { project_slug: "s", zz: 1 } });
    expect(lenient.status).toBe(200);
  });

  test("unknown query parameters are ignored", async () => {
    const res = await t.request("GET", "/health?whatever=1");
    expect(res.status).toBe(200);
  });
});
