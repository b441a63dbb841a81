// The web dashboard (issue 14): its config route, its pages and its hashed
// assets, served by ordinary handlers so hooks, logs and app.handle() apply.
// BEADHUB_DASHBOARD=off mounts none of it (src/routes.ts).
import { Elysia, t } from "elysia";
import { notFound } from "../http/errors";
import { describe } from "../http/openapi";
import type { RouteContext } from "../routes";
import { DashboardConfig } from "./model";
import { PAGE_PATHS, assetResponse, dashboardConfig, pageResponse } from "./service";

export function dashboardRoutes(ctx: RouteContext) {
  const { deps, enableBootstrapRoutes } = ctx;
  const app = new Elysia()
    .get("/v1/dashboard/config", () => dashboardConfig(deps, enableBootstrapRoutes), {
      detail: describe("How the dashboard signs in, and what this server offers", "dashboard", { 200: DashboardConfig }),
    })
    .get(
      "/assets/:name",
      ({ params, request }) => {
        const res = assetResponse(`/assets/${params.name}`, request.headers.get("if-none-match"));
        if (!res) throw notFound("Not Found");
        return res;
      },
      { params: t.Object({ name: t.String() }), detail: { hide: true } },
    );
  // .get registers on the instance; the page routes add nothing to its type.
  for (const path of PAGE_PATHS) {
    app.get(path, ({ request }) => pageResponse(request.headers.get("if-none-match")), { detail: { hide: true } });
  }
  return app;
}
