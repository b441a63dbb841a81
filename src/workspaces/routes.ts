// /v1/workspaces (contract beadhub.md §4.3–4.8). Reads live in list-routes.ts,
// writes in lifecycle-routes.ts; suggest-name-prefix and register are mounted
// separately (bootstrap-routes.ts).
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { workspaceLifecycleRoutes } from "./lifecycle-routes";
import { workspaceListRoutes } from "./list-routes";

export function workspaceRoutes(ctx: RouteContext) {
  return new Elysia().use(workspaceListRoutes(ctx)).use(workspaceLifecycleRoutes(ctx));
}
