// The API docs, complete offline: /swagger serves Swagger UI from files built
// into the binary (no CDN), /swagger/json the OpenAPI 3.1 document
// (./document.ts). `/` leads to the docs unless another module (the
// dashboard) serves it (issue 17).
import { Elysia, type AnyElysia } from "elysia";
// File imports, not text: the binary embeds them and they are read per request,
// so ~1.5 MB of Swagger UI is not held in the heap of every server (issue 16, idle RSS).
import bundlePath from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import cssPath from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import { buildOpenApiDocument } from "./document";

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>beadhub API</title>
  <link rel="stylesheet" href="/swagger/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/swagger/assets/swagger-ui-bundle.js"></script>
  <script src="/swagger/assets/init.js"></script>
</body>
</html>
`;

// A file, not an inline script, so the page works under a CSP without 'unsafe-inline' scripts.
// validatorUrl null: the default asks validator.swagger.io for a badge (a request off this machine).
const INIT = `window.ui = SwaggerUIBundle({ url: "/swagger/json", dom_id: "#swagger-ui", persistAuthorization: true, validatorUrl: null });\n`;

// Swagger UI sets inline styles and shows data: images; nothing else leaves this origin.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

const ASSETS: Record<string, { body: () => string | Blob; type: string }> = {
  "swagger-ui-bundle.js": { body: () => Bun.file(bundlePath), type: "text/javascript; charset=utf-8" },
  "swagger-ui.css": { body: () => Bun.file(cssPath), type: "text/css; charset=utf-8" },
  "init.js": { body: () => INIT, type: "text/javascript; charset=utf-8" },
};

const hidden = { detail: { hide: true } };

/** `root` is the whole app: the document lists every route mounted on it. */
export function docsRoutes(root: () => AnyElysia) {
  let document: string | null = null;
  return new Elysia()
    .get(
      "/swagger",
      () => new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP } }),
      hidden,
    )
    .get(
      "/swagger/json",
      () => {
        // Routes are all mounted before the first request, so one build serves for good.
        document ??= JSON.stringify(buildOpenApiDocument(root()));
        return new Response(document, { headers: { "content-type": "application/json" } });
      },
      hidden,
    )
    .get(
      "/swagger/assets/:file",
      ({ params }) => {
        const asset = ASSETS[params.file];
        if (!asset) return new Response(JSON.stringify({ detail: "Not Found" }), { status: 404, headers: { "content-type": "application/json" } });
        return new Response(asset.body(), { headers: { "content-type": asset.type, "cache-control": "public, max-age=3600" } });
      },
      hidden,
    );
}

/** GET / → the docs, for as long as nothing else (the dashboard) serves `/`. */
export function addRootRedirect(app: AnyElysia): void {
  const taken = (app.router.history as { method: string; path: string }[]).some((r) => r.path === "/" && (r.method === "GET" || r.method === "ALL"));
  if (!taken) app.get("/", () => new Response(null, { status: 302, headers: { location: "/swagger" } }), hidden);
}
