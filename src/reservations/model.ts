// Reservations: the answers of /v1/reservations (docs/protocol/reservations.md#reservations-ttl), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

export const Reservation = t.Object({
  project_id: Uuid,
  resource_key: t.String(),
  holder_agent_id: Uuid,
  holder_alias: t.String(),
  acquired_at: Timestamp,
  expires_at: Timestamp,
});

export const Acquired = t.Object({ status: t.Literal("acquired"), ...Reservation.properties });

/** The 409 body aw decodes into its ReservationHeldError (docs/protocol/reservations.md#reservations-acquire). */
export const Held = t.Object({
  detail: t.String(),
  holder_agent_id: Uuid,
  holder_alias: t.String(),
  expires_at: Timestamp,
});

export const ActiveReservations = t.Object({
  reservations: t.Array(
    t.Object({
      ...Reservation.properties,
      metadata: t.Record(t.String(), t.Unknown()),
      ttl_remaining_seconds: t.Integer(),
    }),
  ),
  count: t.Integer(),
});

export const Renewed = t.Object({ status: t.String(), resource_key: t.String(), expires_at: Timestamp });
export const Released = t.Object({ status: t.String(), resource_key: t.String() });
export const Revoked = t.Object({
  status: t.String(),
  deleted: t.Integer(),
  revoked_count: t.Integer(),
  revoked_keys: t.Array(t.String()),
});
