// The API docs (issue 17): the OpenAPI 3.1 document validates, declares the
// Bearer and signed-proxy schemes, and gives every route a response schema for
// each status; /swagger is served entirely from this server (no CDN) and
// renders in a real browser that cannot reach any other host.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { startTestApp } from "./support/harness";

const t = await startTestApp();
afterAll(() => t.close());

/**
 * Routes without response schemas yet (`describe()` in their routes.ts). A
 * route not on it must be described; an entry described since is reported
 * (remove it) but does not fail, so branches describing routes merge cleanly.
 */
/** Routes that never succeed for an agent key (the reference refuses them too). */
const NEVER_SUCCEEDS = new Set(["DELETE /v1/projects/{project_id}"]);

/** Answers that are not JSON: the body schema is declared for their own content type. */
const NOT_JSON = new Set(["text/plain; version=0.0.4; charset=utf-8", "text/event-stream", "application/x-ndjson"]);

const doc = (await t.request("GET", "/swagger/json")).body;
type Operation = { responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>; security?: unknown[] };
const operations: [string, Operation][] = [];
for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
  for (const [method, op] of Object.entries(ops)) operations.push([`${method.toUpperCase()} ${path}`, op]);
}

describe("OpenAPI document", () => {
  test("is valid OpenAPI 3.1", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 1).slice(0, 4000));
    expect(result.valid).toBe(true);
  });

  test("declares Bearer keys and the signed proxy headers", () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(schemes.proxyAuth).toMatchObject({ type: "apiKey", in: "header", name: "X-BH-Auth" });
    expect(schemes.proxyProject).toMatchObject({ in: "header", name: "X-Project-ID" });
    expect(schemes.proxyActor).toMatchObject({ in: "header", name: "X-AWEB-Actor-ID" });
    expect(doc.security[0]).toEqual({ bearerAuth: [] });
    // The open routes say so.
    const byKey = Object.fromEntries(operations);
    expect(byKey["POST /v1/init"].security).toEqual([]);
    expect(byKey["GET /health"].security).toEqual([]);
  });

  test("lists every mounted route once", () => {
    const mounted = (t.handle.app.router.history as { method: string; path: string; hooks?: { detail?: { hide?: boolean } } }[])
      .filter((r) => !r.hooks?.detail?.hide)
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`);
    expect(operations.map(([k]) => k).sort()).toEqual([...new Set(mounted)].sort());
    expect(operations.length).toBeGreaterThan(55);
  });

  test("every route declares a schema for each status it answers", () => {
    const undescribed: string[] = [];
    const problems: string[] = [];
    for (const [key, op] of operations) {
      const statuses = Object.keys(op.responses);
      if (statuses.includes("default")) {
        undescribed.push(key);
        continue;
      }
      if (!statuses.some((s) => s.startsWith("2")) && !NEVER_SUCCEEDS.has(key)) problems.push(`${key}: no 2xx answer`);
      for (const [status, r] of Object.entries(op.responses)) {
        if (status === "204" || status === "202" || status.startsWith("3")) continue;
        const types = Object.keys(r.content ?? {});
        if (types.length === 0) problems.push(`${key} ${status}: no body schema`);
        for (const type of types) {
          if (type !== "application/json" && !NOT_JSON.has(type)) problems.push(`${key} ${status}: content type ${type}`);
          if (!r.content![type].schema) problems.push(`${key} ${status}: no schema for ${type}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(undescribed).toEqual([]);
  });
});

describe("docs UI, offline", () => {
  test("/swagger loads only files from this server", async () => {
    const page = await t.request("GET", "/swagger");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs).toEqual(["/swagger/assets/swagger-ui.css", "/swagger/assets/swagger-ui-bundle.js", "/swagger/assets/init.js"]);
    const bundle = await t.request("GET", "/swagger/assets/swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(bundle.text.length).toBeGreaterThan(1_000_000);
    const css = await t.request("GET", "/swagger/assets/swagger-ui.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const init = await t.request("GET", "/swagger/assets/init.js");
    expect(init.text).toContain('url: "/swagger/json"');
    expect(init.text).toContain("validatorUrl: null");
    const missing = await t.request("GET", "/swagger/assets/nope.js");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: "Not Found" });
  });

  test("/ is the dashboard; it leads to the docs only with the dashboard off", async () => {
    // The dashboard takes / over (issue 14); the redirect to /swagger with
    // BEADHUB_DASHBOARD=off is tested in test/dashboard.test.ts.
    const res = await t.request("GET", "/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  });

  // A real browser whose every other host resolves to nothing: the page must still render the operations.
  test.skipIf(!existsSync("/usr/bin/chromium"))("renders in Chromium with no other host reachable", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => t.handle.app.handle(r) });
    const profile = mkdtempSync(join(tmpdir(), "beadhub-chromium-"));
    try {
      const proc = Bun.spawn(
        [
          "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
          "--disable-background-networking", "--disable-component-update", "--disable-quic", "--disable-dev-shm-usage",
          `--user-data-dir=${profile}`, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
          "--virtual-time-budget=15000", "--dump-dom", `http://127.0.0.1:${server.port}/swagger`,
        ],
        { stdout: "pipe", stderr: "ignore" },
      );
      const dom = await new Response(proc.stdout).text();
      await proc.exited;
      expect(dom).toContain('class="swagger-ui"');
      expect(dom).toContain("/v1/init");
      expect(dom).toContain("Authorize");
    } finally {
      server.stop(true);
      rmSync(profile, { recursive: true, force: true });
    }
  }, 60_000);
});
