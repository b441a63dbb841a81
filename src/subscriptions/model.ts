// Subscriptions: the answers of /v1/subscriptions (docs/protocol/subscriptions.md), declared once.
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

// Extra body and query keys are ignored (docs/protocol/conventions.md#bodies):
// src/http/schema.ts makes these schemas lenient.

export const SubscribeBody = t.Object({
  workspace_id: t.String({ minLength: 1 }),
  alias: t.String({ minLength: 1, maxLength: 64 }),
  bead_id: t.String({ minLength: 1 }),
  repo: t.Optional(t.Nullable(t.String())),
  event_types: t.Optional(t.Array(t.String())),
});

/** The workspace whose subscriptions are read or removed. */
export const SubscriptionOwnerQuery = t.Object({
  workspace_id: t.String({ minLength: 1 }),
  alias: t.String({ minLength: 1, maxLength: 64 }),
});

export const SubscriptionIdParams = t.Object({ subscription_id: t.String() });

export type SubscribeInput = typeof SubscribeBody.static;
export type SubscriptionOwner = typeof SubscriptionOwnerQuery.static;
export type SubscriptionAnswer = typeof Subscription.static;
export type SubscriptionListAnswer = typeof SubscriptionList.static;
export type SubscriptionDeletedAnswer = typeof SubscriptionDeleted.static;
