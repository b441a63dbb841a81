// Shapes of the dashboard's one API route (issue 14; docs/protocol/dashboard.md).
import { t } from "elysia";

export const DashboardConfig = t.Object({
  /** "proxy" when signed proxy headers are accepted (a wrapper signs people in), else "bearer". */
  auth_mode: t.Union([t.Literal("bearer"), t.Literal("proxy")]),
  version: t.String(),
  api_base: t.String(),
  features: t.Object({
    /** POST /v1/init is mounted: the sign-in page may offer "create my human identity". */
    bootstrap: t.Boolean(),
    /** Zero-config mode (embedded PostgreSQL): one process only. */
    embedded: t.Boolean(),
  }),
});
export type DashboardConfig = typeof DashboardConfig.static;
