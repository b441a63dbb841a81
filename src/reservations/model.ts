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
export const Released = t.Object({ status: t.String(), resource_key: t.String() });
export const Revoked = t.Object({
  status: t.String(),
  deleted: t.Integer(),
  revoked_count: t.Integer(),
  revoked_keys: t.Array(t.String()),
});

export const ForceReleased = t.Object({ released: t.Array(t.String()), not_found: t.Array(t.String()) });
