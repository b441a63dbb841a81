// The dashboard as served (issue 14): pages, assets, headers, config, and the
// JSON 404s that must survive (no catch-all).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "./support/harness";
import { CONTENT_SECURITY_POLICY, PAGE_PATHS } from "../src/dashboard/service";
import { bundleBytes } from "../src/dashboard/assets";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

describe("pages", () => {
  test("/ answers index.html with no-cache, an ETag and a strict CSP", async () => {
    const r = await app.request("GET", "/");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("cache-control")).toBe("no-cache");
    expect(r.headers.get("etag")).toMatch(/^"[0-9a-f]{16}"$/);
    const csp = r.headers.get("content-security-policy")!;
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.text).toContain('<div id="app">');
    // No inline script: the only script is the hashed module.
    expect(r.text).toMatch(/<script type="module" src="\/assets\/app-[a-z0-9]+\.js"><\/script>/);
    expect(r.text).not.toMatch(/<script(?![^>]*src=)[^>]*>/);
  });

  test("every page path answers the same document; a matching If-None-Match answers 304", async () => {
    const first = await app.request("GET", "/");
    for (const p of PAGE_PATHS) {
      const path = p.replace(":id", "some-id");
      const r = await app.request("GET", path);
      expect(r.status).toBe(200);
      expect(r.text).toBe(first.text);
    }
    const again = await app.request("GET", "/escalations", { headers: { "if-none-match": first.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect(again.headers.get("etag")).toBe(first.headers.get("etag"));
  });

  test("hashed assets are immutable; the bundle stays under 150 KB", async () => {
    const page = await app.request("GET", "/");
    const paths = [...page.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(paths.length).toBe(2);
    for (const p of paths) {
      const r = await app.request("GET", p);
      expect(r.status).toBe(200);
      expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(r.headers.get("content-type")).toMatch(p.endsWith(".js") ? /^text\/javascript/ : /^text\/css/);
      expect(r.text.length).toBeGreaterThan(100);
    }
    expect(bundleBytes).toBeLessThan(150 * 1024);
  });
});

describe("no catch-all", () => {
  for (const path of ["/nope", "/v1/statuss", "/v1/escalation", "/.well-known/oauth-authorization-server", "/assets/app-missing.js", "/issues/a/b"]) {
    test(`${path} keeps its JSON 404`, async () => {
      const r = await app.request("GET", path);
      expect(r.status).toBe(404);
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      expect(r.body).toEqual({ detail: "Not Found" });
    });
  }

  test("the API and the docs are untouched", async () => {
    expect((await app.request("GET", "/v1/status")).status).toBe(401);
    expect((await app.request("GET", "/swagger")).status).toBe(200);
    // The dashboard, not the docs redirect, answers /.
    expect((await app.request("GET", "/")).status).toBe(200);
    expect((await app.request("GET", "/health")).status).toBe(200);
  });
});

describe("GET /v1/dashboard/config", () => {
  test("answers without a key: auth mode, version, API base, features", async () => {
    const r = await app.request("GET", "/v1/dashboard/config");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      auth_mode: "bearer",
      version: expect.any(String),
      api_base: "/v1",
      features: { bootstrap: true, embedded: app.config.databaseUrl === null },
    });
  });

  test("proxy mode and no bootstrap routes are reported", async () => {
    const other = await startTestApp({ config: { internalAuthSecret: "s3cret" }, enableBootstrapRoutes: false });
    try {
      const r = await other.request("GET", "/v1/dashboard/config");
      expect(r.status).toBe(200);
      expect(r.body.auth_mode).toBe("proxy");
      expect(r.body.features.bootstrap).toBe(false);
    } finally {
      await other.close();
    }
  });
});

describe("BEADHUB_DASHBOARD=off", () => {
  test("removes the pages, the assets and the config route", async () => {
    const off = await startTestApp({ config: { dashboard: false } });
    try {
      for (const path of ["/escalations", "/v1/dashboard/config", "/assets/app.js"]) {
        const r = await off.request("GET", path);
        expect(r.status).toBe(404);
        expect(r.body).toEqual({ detail: "Not Found" });
      }
      // With no dashboard, / leads to the API docs (src/docs/routes.ts).
      const root = await off.request("GET", "/");
      expect(root.status).toBe(302);
      expect(root.headers.get("location")).toBe("/swagger");
      expect((await off.request("GET", "/health")).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});
