// Subscriptions: the answers of /v1/subscriptions (beadhub.md §16.2), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

export const Subscription = t.Object({
  subscription_id: Uuid,
  workspace_id: Uuid,
  alias: t.String(),
  bead_id: t.String(),
  /** null: every repo of the project. */
  repo: t.Nullable(t.String()),
  event_types: t.Array(t.String()),
  created_at: Timestamp,
});

export const SubscriptionList = t.Object({ subscriptions: t.Array(Subscription), count: t.Integer() });

/** subscription_id is echoed as the caller wrote it. */
export const SubscriptionDeleted = t.Object({ subscription_id: t.String(), deleted: t.Boolean() });
