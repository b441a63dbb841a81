// GET /v1/auth/introspect (docs/protocol/auth.md#introspection): who does this key (or proxy context) act as?
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { Introspection } from "./model";
import { authPlugin } from "./plugin";
import { introspect } from "./service";

export function authRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/auth" }).use(authPlugin(deps)).get(
    "/introspect",
    async ({ auth }) => introspect(deps, await auth.aweb()),
    { detail: describe("Describe the caller's identity", "auth", { 200: Introspection }, [401]) },
  );
}
