// The one place every route module is mounted. Each capability owns one folder
// with its routes.ts; add new modules here.
import type { Deps } from "./deps";
import { agentPrefixRoutes, agentPresenceRoutes } from "./agents/routes";
import { authRoutes } from "./auth/routes";
import { healthRoutes } from "./health/routes";
import { initRoutes } from "./init/routes";
import { projectRoutes } from "./projects/routes";
import { messageRoutes } from "./messages/routes";
import { chatRoutes } from "./chat/routes";
import { chatMonitorRoutes } from "./chat-monitor/routes";
import { reservationRoutes } from "./reservations/routes";
import { workspaceBootstrapRoutes, workspaceRoutes } from "./workspaces/routes";
import { workspaceListRoutes } from "./workspace-lists/routes";
import { repoRoutes } from "./repos/routes";
import { claimRoutes } from "./claims/routes";
import { policyRoutes } from "./policies/routes";
import { escalationRoutes } from "./escalations/routes";
import { subscriptionRoutes } from "./subscriptions/routes";
import { beadRoutes } from "./beads/routes";
import { bdhRoutes } from "./bdh/routes";
import { statusRoutes } from "./status/routes";
import { mcpRoutes } from "./mcp/routes";
import { dashboardRoutes } from "./dashboard/routes";
import { metricsRoutes } from "./metrics/routes";

export interface RouteContext {
  deps: Deps;
  /** Aborted at shutdown: SSE streams end on it so SIGTERM can finish. */
  shutdownSignal: AbortSignal;
  enableBootstrapRoutes: boolean;
}

export function routeModules(ctx: RouteContext) {
  return [
    healthRoutes(ctx),
    ...(ctx.deps.config.metrics ? [metricsRoutes(ctx)] : []),
    ...(ctx.enableBootstrapRoutes ? [initRoutes(ctx)] : []),
    authRoutes(ctx),
    projectRoutes(ctx),
    agentPrefixRoutes(ctx),
    workspaceBootstrapRoutes(ctx),
    agentPresenceRoutes(ctx),
    messageRoutes(ctx),
    chatRoutes(ctx),
    chatMonitorRoutes(ctx),
    reservationRoutes(ctx),
    workspaceListRoutes(ctx),
    workspaceRoutes(ctx),
    repoRoutes(ctx),
    claimRoutes(ctx),
    policyRoutes(ctx),
    escalationRoutes(ctx),
    subscriptionRoutes(ctx),
    beadRoutes(ctx),
    bdhRoutes(ctx),
    statusRoutes(ctx),
    mcpRoutes(ctx),
    ...(ctx.deps.config.dashboard ? [dashboardRoutes(ctx)] : []),
  ];
}
