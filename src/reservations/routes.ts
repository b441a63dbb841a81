// /v1/reservations — opaque per-project locks (docs/protocol/reservations.md#reservations-ttl). Bodies are strict:
// unknown keys, a project_id selector included, are a 422.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { checkIndexable } from "../http/wire";
import { describe } from "../http/openapi";
import {
  AcquireBody,
  ActiveReservations,
  Acquired,
  ForceReleaseBody,
  ForceReleased,
  Held,
  ListReservationsQuery,
  ReleaseBody,
  Released,
  RenewBody,
  Renewed,
  RevokeBody,
  Revoked,
} from "./model";
import { acquire, forceRelease, listReservations, release, renew, reservationTtl, revoke } from "./service";

export function reservationRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/reservations" })
    .use(authPlugin(deps))
    .post(
      "",
      async ({ auth, body, status }) => {
        // the key is the primary key's second column (issue 19: never a 500)
        checkIndexable(body.resource_key, ["body", "resource_key"]);
        const ttl = reservationTtl(body.ttl_seconds);
        const actor = await auth.actor();
        const result = await acquire(deps, actor, body.resource_key, ttl, body.metadata ?? {});
        if ("held" in result) return status(409, result.held);
        return result.acquired;
      },
      {
        body: AcquireBody,
        detail: describe("Acquire a reservation (409 names the holder)", "reservations", { 200: Acquired, 409: Held }, [401, 403]),
      },
    )
    .get(
      "",
      async ({ auth, query }) => {
        // bdh's legacy client also sends workspace_id, alias, path_prefix: ignored (docs/protocol/reservations.md#reservations-list).
        const { projectId } = await auth.aweb();
        const reservations = await listReservations(deps, projectId, query.prefix ?? null);
        // count and ttl_remaining_seconds are for bdh's legacy view (docs/protocol/reservations.md#reservations-list).
        return { reservations, count: reservations.length };
      },
      {
        query: ListReservationsQuery,
        detail: describe("List active reservations by key", "reservations", { 200: ActiveReservations }, [401, 403]),
      },
    )
    .post(
      "/renew",
      async ({ auth, body }) => {
        const ttl = reservationTtl(body.ttl_seconds);
        return renew(deps, await auth.actor(), body.resource_key, ttl);
      },
      {
        body: RenewBody,
        detail: describe("Extend your own active reservation", "reservations", { 200: Renewed }, [401, 403, 404, 409]),
      },
    )
    .post("/release", async ({ auth, body }) => release(deps, await auth.actor(), body.resource_key), {
      body: ReleaseBody,
      detail: describe("Release your reservation (idempotent)", "reservations", { 200: Released }, [401, 403, 409]),
    })
    .post(
      "/force-release",
      async ({ auth, body }) => forceRelease(deps, await auth.requireHuman(), body.resource_keys),
      {
        body: ForceReleaseBody,
        detail: describe(
          "Release any reservations on these keys, whoever holds them (humans only)",
          "reservations",
          { 200: ForceReleased },
          [401, 403],
        ),
      },
    )
    .post(
      "/revoke",
      async ({ auth, body }) => revoke(deps, await auth.actor(), body.prefix ? body.prefix : null),
      {
        body: RevokeBody,
        detail: describe("Revoke your own reservations under a prefix", "reservations", { 200: Revoked }, [401, 403]),
      },
    );
}
