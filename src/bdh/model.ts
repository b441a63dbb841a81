// bdh: the answers of /v1/bdh/command and /v1/bdh/sync (beadhub.md §8), declared once.
import { t } from "elysia";
import { Uuid } from "../http/model";

export const CommandAnswer = t.Object({
  approved: t.Boolean(),
  /** "" when approved; else why (the bead is claimed by another workspace). */
  reason: t.String(),
  context: t.Object({
    messages_waiting: t.Integer(),
    beads_in_progress: t.Array(
      t.Object({
        bead_id: t.String(),
        workspace_id: Uuid,
        alias: t.String(),
        human_name: t.String(),
        started_at: t.String(),
        title: t.Null(),
        role: t.Null(),
      }),
    ),
  }),
});

export const SyncAnswer = t.Object({
  synced: t.Literal(true),
  issues_count: t.Integer(),
  context: t.Null(),
  stats: t.Object({ received: t.Integer(), inserted: t.Integer(), updated: t.Integer(), deleted: t.Integer() }),
  sync_protocol_version: t.Literal(1),
  claim_rejected: t.Boolean(),
  claim_rejected_reason: t.String(),
});
