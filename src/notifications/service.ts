// Bead status notifications (docs/protocol/sync.md#beads-notifications): intents written in
// the beads write's own transaction, delivered as aweb mail after it commits,
// and bead.status_changed events.
//
// Intents: one outbox row per (status change, matching subscription), written
// by the caller inside the same transaction as the upsert that produced the
// changes, so an intent exists exactly when the change committed.
//
// Delivery (decision docs/decisions.md Q4) runs inline, right after the sync transaction
// commits, so the response and audit carry the counts. Claiming is one
// statement with FOR UPDATE SKIP LOCKED that also flips the rows to
// 'processing' and bumps attempts, so two requests draining the same project
// concurrently never deliver a row twice (the reference's skip-locked select
// ran outside a transaction and protected nothing). Each delivered mail
// publishes message.delivered on the recipient's events channel (docs/decisions.md Q5).
//
// The sender must be a live agent of the project. When the caller has none
// (a key not bound to an agent, or a proxy actor that is not an agent), the
// reference answers 401 after the sync has already committed; we skip the
// delivery instead — the intents stay pending for the next write — so the
// client is not told a committed sync failed.
//
// bead.status_changed (decision docs/decisions.md Q5: the reference defines the event but
// never publishes it; we do, on the acting workspace's channel): at most
// MAX_STATUS_EVENTS per write. A bulk import that flips thousands of statuses
// would otherwise flood every dashboard stream (and cost ~0.1 ms per publish);
// past that many changes a viewer has to refetch anyway.
import type { Deps } from "../deps";
import type { Db } from "../db/pool";
import type { RequestAuth } from "../auth/identity";
import { AppError } from "../http/errors";
import { publishWorkspaceEvent } from "../events/publish";
import { insertMessage } from "../messages/service";
import { mirrorOf } from "../projects/service";
import type { StatusChange } from "../beads/model";
import {
  claimOutboxRows,
  findLiveRecipients,
  insertNotificationIntents,
  markOutboxDelivered,
  markOutboxFailed,
} from "./data";
import { notificationMail } from "./mail";
import { beadThreadId } from "./uuid";

export { OUTBOX_LEASE_SECONDS } from "./data";

export const MAX_STATUS_EVENTS = 200;

export interface Sender {
  agentId: string;
  alias: string;
}

export interface DeliveryCounts {
  sent: number;
  failed: number;
}

export interface AfterCommit {
  projectId: string;
  /** For event payloads; looked up when not known. */
  projectSlug?: string | null;
  /** Channel for bead.status_changed (the syncing workspace); null publishes nothing. */
  eventWorkspaceId: string | null;
  changes: StatusChange[];
  /** Drain the outbox (the reference does so whenever the write changed any status). */
  drain: boolean;
}

/** Inside the caller's transaction: the intents for these committed-together changes. */
export async function recordNotificationIntents(tx: Db, projectId: string, changes: StatusChange[]): Promise<number> {
  if (changes.length === 0) return 0;
  return insertNotificationIntents(tx, projectId, changes);
}

export async function afterBeadsCommit(deps: Deps, auth: RequestAuth, a: AfterCommit): Promise<DeliveryCounts> {
  let counts: DeliveryCounts = { sent: 0, failed: 0 };
  if (!a.drain && a.changes.length === 0) return counts;
  const slug = a.projectSlug !== undefined ? a.projectSlug : ((await mirrorOf(deps, a.projectId))?.slug ?? null);
  if (a.drain) {
    const sender = await auth.actor().catch((err) => {
      if (err instanceof AppError) return null;
      throw err;
    });
    if (sender) counts = await deliverNotifications(deps, a.projectId, { agentId: sender.agentId, alias: sender.alias }, slug);
  }
  if (a.eventWorkspaceId) {
    const channel = a.eventWorkspaceId;
    await Promise.all(
      a.changes.slice(0, MAX_STATUS_EVENTS).map((c) =>
        publishWorkspaceEvent(deps, channel, "bead.status_changed", slug, {
          project_id: a.projectId,
          bead_id: c.bead_id,
          repo: c.repo,
          old_status: c.old_status,
          new_status: c.new_status,
        }),
      ),
    );
  }
  return counts;
}

/** Drain the project's outbox as mail from `sender`; see the header for the claiming rule. */
export async function deliverNotifications(
  deps: Deps,
  projectId: string,
  sender: Sender,
  projectSlug: string | null,
): Promise<DeliveryCounts> {
  const { sql } = deps;
  const rows = await claimOutboxRows(sql, projectId);
  if (rows.length === 0) return { sent: 0, failed: 0 };
  const live = await findLiveRecipients(sql, projectId, [...new Set(rows.map((r) => r.recipient_workspace_id))]);
  const counts: DeliveryCounts = { sent: 0, failed: 0 };
  const delivered: { to: string; messageId: string; subject: string }[] = [];
  for (const row of rows) {
    try {
      if (!live.has(row.recipient_workspace_id)) throw new Error("Recipient workspace not found or deleted");
      const { subject, body, beadId } = notificationMail(row.payload);
      // mail and "completed" commit together: a delivered row is never retried
      const message = await sql.begin(async (tx) => {
        const m = await insertMessage(tx, {
          projectId,
          fromAgentId: sender.agentId,
          fromAlias: sender.alias,
          toAgentId: row.recipient_workspace_id,
          subject,
          body,
          priority: "normal",
          threadId: beadThreadId(beadId),
        });
        await markOutboxDelivered(tx, row.id, m.message_id);
        return m;
      });
      counts.sent++;
      delivered.push({ to: row.recipient_workspace_id, messageId: message.message_id, subject });
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      await markOutboxFailed(sql, row.id, reason);
      counts.failed++;
    }
  }
  await Promise.all(
    delivered.map((d) =>
      publishWorkspaceEvent(deps, d.to, "message.delivered", projectSlug, {
        message_id: d.messageId,
        from_workspace: sender.agentId,
        from_alias: sender.alias,
        subject: d.subject,
        priority: "normal",
        to_alias: live.get(d.to) ?? "",
      }),
    ),
  );
  return counts;
}
