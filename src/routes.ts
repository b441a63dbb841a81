// The one place every route module is mounted. Each capability owns one folder
// with its routes.ts; add new modules here.
import type { Deps } from "./deps";
import { agentPrefixRoutes } from "./agents/routes";
import { authRoutes } from "./auth/routes";
import { healthRoutes } from "./health/routes";
import { initRoutes } from "./init/routes";
import { projectRoutes } from "./projects/routes";
import { workspaceBootstrapRoutes } from "./workspaces/bootstrap-routes";

export interface RouteContext {
  deps: Deps;
  /** Aborted at shutdown: SSE streams end on it so SIGTERM can finish. */
  shutdownSignal: AbortSignal;
  enableBootstrapRoutes: boolean;
}

export function routeModules(ctx: RouteContext) {
  const { deps } = ctx;
  return [
    healthRoutes(deps),
    ...(ctx.enableBootstrapRoutes ? [initRoutes(deps)] : []),
    authRoutes(deps),
    projectRoutes(deps),
    agentPrefixRoutes(deps),
    workspaceBootstrapRoutes(deps),
  ];
}
