// Reservations: the answers of /v1/reservations (docs/protocol/reservations.md#reservations-ttl), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

/** Whatever the client attached on acquire; its "reason" goes into the events. */
export const Metadata = t.Record(t.String(), t.Unknown());
export type Metadata = typeof Metadata.static;

export const Reservation = t.Object({
  project_id: Uuid,
  resource_key: t.String(),
  holder_agent_id: Uuid,
  holder_alias: t.String(),
  acquired_at: Timestamp,
  expires_at: Timestamp,
});
export type Reservation = typeof Reservation.static;

export const Acquired = t.Object({ status: t.Literal("acquired"), ...Reservation.properties });
export type Acquired = typeof Acquired.static;

/** The 409 body aw decodes into its ReservationHeldError (docs/protocol/reservations.md#reservations-acquire). */
export const Held = t.Object({
  detail: t.String(),
  holder_agent_id: Uuid,
  holder_alias: t.String(),
  expires_at: Timestamp,
});
export type Held = typeof Held.static;

/** An item of GET /v1/reservations; ttl_remaining_seconds is for bdh's legacy view. */
export const ActiveReservation = t.Object({
  ...Reservation.properties,
  metadata: Metadata,
  ttl_remaining_seconds: t.Integer(),
});
export type ActiveReservation = typeof ActiveReservation.static;

export const ActiveReservations = t.Object({ reservations: t.Array(ActiveReservation), count: t.Integer() });

export const Renewed = t.Object({ status: t.String(), resource_key: t.String(), expires_at: Timestamp });
export type Renewed = typeof Renewed.static;
export const Released = t.Object({ status: t.String(), resource_key: t.String() });
export type Released = typeof Released.static;
export const Revoked = t.Object({
  status: t.String(),
  deleted: t.Integer(),
  revoked_count: t.Integer(),
  revoked_keys: t.Array(t.String()),
});
export type Revoked = typeof Revoked.static;

export const ForceReleased = t.Object({ released: t.Array(t.String()), not_found: t.Array(t.String()) });
export type ForceReleased = typeof ForceReleased.static;

// Bodies are strict: unknown keys, a project_id selector included, are a 422.
const strict = { additionalProperties: false } as const;
const ResourceKey = t.String({ minLength: 1, maxLength: 4096 });
// Parsed by reservationTtl so "60" and 60.0 are accepted like the reference (docs/protocol/conventions.md#conventions-shared-by-every-route).
const Ttl = t.Optional(t.Unknown());

export const AcquireBody = t.Object({ resource_key: ResourceKey, ttl_seconds: Ttl, metadata: t.Optional(Metadata) }, strict);
export const RenewBody = t.Object({ resource_key: ResourceKey, ttl_seconds: Ttl }, strict);
export const ReleaseBody = t.Object({ resource_key: ResourceKey }, strict);
export const ForceReleaseBody = t.Object({ resource_keys: t.Array(ResourceKey, { minItems: 1, maxItems: 100 }) }, strict);
export const RevokeBody = t.Object({ prefix: t.Optional(t.Nullable(t.String({ maxLength: 4096 }))) }, strict);

/** bdh's legacy client also sends workspace_id, alias, path_prefix: ignored (docs/protocol/reservations.md#reservations-list). */
export const ListReservationsQuery = t.Object({ prefix: t.Optional(t.String()) }, { additionalProperties: true });
