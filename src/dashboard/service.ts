// The dashboard's rules: which paths are pages, the headers each file carries,
// and the config the UI reads before anyone signs in (docs/protocol/dashboard.md).
import type { Deps } from "../deps";
import { VERSION } from "../version";
import { assetFiles, indexFile, type ServedFile } from "./assets";
import type { DashboardConfig } from "./model";

/**
 * Page paths answered with index.html (the UI routes with the History API).
 * Listed one by one on purpose: there is no catch-all, so every other path —
 * `/v1/…` typos and `/.well-known/…` probes included — keeps its JSON 404
 * (docs/decisions.md, issue 14).
 */
export const PAGE_PATHS = [
  "/",
  "/signin",
  "/issues",
  "/issues/:id",
  "/claims",
  "/locks",
  "/mail",
  "/mail/:id",
  "/chat",
  "/chat/:id",
  "/workspaces",
  "/escalations",
  "/escalations/:id",
  "/policies",
  "/policies/:id",
] as const;

/**
 * No inline script or style, nothing from another origin, no framing. Styles
 * set through the DOM (element.style) are not covered by style-src.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function dashboardConfig(deps: Deps, enableBootstrapRoutes: boolean): DashboardConfig {
  return {
    auth_mode: deps.config.internalAuthSecret ? "proxy" : "bearer",
    version: VERSION,
    api_base: "/v1",
    features: { bootstrap: enableBootstrapRoutes, embedded: deps.config.databaseUrl === null },
  };
}

function respond(file: ServedFile, ifNoneMatch: string | null, headers: Record<string, string>): Response {
  const common = { etag: file.etag, "x-content-type-options": "nosniff", ...headers };
  if (ifNoneMatch !== null && ifNoneMatch.split(",").some((t) => t.trim() === file.etag)) {
    return new Response(null, { status: 304, headers: common });
  }
  return new Response(file.body, { headers: { "content-type": file.contentType, ...common } });
}

/** index.html: revalidated on every load so a new build is picked up at once. */
export function pageResponse(ifNoneMatch: string | null): Response {
  return respond(indexFile, ifNoneMatch, {
    "cache-control": "no-cache",
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  });
}

/** A hashed asset (its name changes with its content), or null when unknown. */
export function assetResponse(path: string, ifNoneMatch: string | null): Response | null {
  const file = assetFiles.get(path);
  if (!file) return null;
  return respond(file, ifNoneMatch, { "cache-control": "public, max-age=31536000, immutable" });
}
