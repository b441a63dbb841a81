// /v1/subscriptions (docs/protocol/subscriptions.md#subscriptions-create; used through MCP, not bdh).
// Reads take any project identity, writes an aweb identity.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { describe } from "../http/openapi";
import {
  SubscribeBody,
  Subscription,
  SubscriptionDeleted,
  SubscriptionIdParams,
  SubscriptionList,
  SubscriptionOwnerQuery,
} from "./model";
import { listWorkspaceSubscriptions, parseSubscribe, subscribe, unsubscribe } from "./service";

export function subscriptionRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/subscriptions" })
    .use(authPlugin(deps))
    .post(
      "/",
      async ({ auth, body }) => {
        const input = parseSubscribe(body);
        return subscribe(deps, await auth.aweb(), input);
      },
      {
        body: SubscribeBody,
        detail: describe("Subscribe a workspace to changes of a bead", "subscriptions", { 200: Subscription }, [400, 401, 403]),
      },
    )
    .get("/", async ({ auth, query }) => listWorkspaceSubscriptions(deps, await auth.identity(), query), {
      query: SubscriptionOwnerQuery,
      detail: describe("A workspace's subscriptions, newest first", "subscriptions", { 200: SubscriptionList }, [400, 401, 403]),
    })
    .delete(
      "/:subscription_id",
      async ({ auth, params, query }) => unsubscribe(deps, await auth.aweb(), query, params.subscription_id),
      {
        params: SubscriptionIdParams,
        query: SubscriptionOwnerQuery,
        detail: describe("Remove one of a workspace's subscriptions", "subscriptions", { 200: SubscriptionDeleted }, [400, 401, 403, 404]),
      },
    );
}
