// Outbox delivery (contract beadhub.md §13.5 steps 3–4): claim up to 100
// pending/failed rows of the whole project (attempts < 3, oldest first) and
// deliver each as aweb mail from the caller's agent.
//
// Decision (§20 Q4): delivery runs inline, right after the sync transaction
// commits, so the response and audit carry the counts. Claiming is one
// statement with FOR UPDATE SKIP LOCKED that also flips the rows to
// 'processing' and bumps attempts, so two requests draining the same project
// concurrently never deliver a row twice (the reference's skip-locked select
// ran outside a transaction and protected nothing).
// Decision (§20 Q5): each delivered mail publishes message.delivered on the
// recipient's events channel.
import type { Deps } from "../deps";
import type { Db } from "../db/pool";
import { insertMessage } from "../messages/data";
import { publishWorkspaceEvent } from "../events/publish";
import { beadThreadId } from "./uuid";

const MAX_ATTEMPTS = 3;
const BATCH = 100;
/**
 * A claimed row not finished within this many seconds belonged to a process
 * that died mid-delivery: the next drain takes it back (attempts still count).
 * Far longer than a drain of BATCH rows takes.
 */
export const OUTBOX_LEASE_SECONDS = 300;

export interface Sender {
  agentId: string;
  alias: string;
}

export interface DeliveryCounts {
  sent: number;
  failed: number;
}

interface OutboxRow {
  id: string;
  payload: Record<string, unknown>;
  recipient_workspace_id: string;
  created_at: string;
}

async function claimOutboxRows(db: Db, projectId: string): Promise<OutboxRow[]> {
  const rows = await db<OutboxRow[]>`
    update server.notification_outbox o
    set status = 'processing', attempts = o.attempts + 1, claimed_at = now()
    where o.id in (
      select id from server.notification_outbox
      where project_id = ${projectId} and attempts < ${MAX_ATTEMPTS}
        and (status in ('pending', 'failed')
             or (status = 'processing'
                 and coalesce(claimed_at, created_at) < now() - make_interval(secs => ${OUTBOX_LEASE_SECONDS})))
      order by created_at asc
      limit ${BATCH}
      for update skip locked)
    returning o.id, o.payload, o.recipient_workspace_id, o.created_at`;
  return rows.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
}

/** Live recipient workspaces → their alias (message.delivered carries it). */
async function liveRecipients(db: Db, projectId: string, ids: string[]): Promise<Map<string, string>> {
  const rows = await db<{ workspace_id: string; alias: string }[]>`
    select workspace_id, alias from server.workspaces
    where project_id = ${projectId} and deleted_at is null and workspace_id = any(${db.array(ids)}::uuid[])`;
  return new Map(rows.map((r) => [r.workspace_id, r.alias]));
}

const str = (v: unknown, fallback: string) => (v === undefined ? fallback : v === null ? "None" : String(v));

/** Subject and body as the reference writes them. */
export function notificationMail(payload: Record<string, unknown>): { subject: string; body: string; beadId: string } {
  const beadId = str(payload.bead_id, "unknown");
  let body = `**${beadId}** status changed from \`${str(payload.old_status, "unknown")}\` to \`${str(payload.new_status, "unknown")}\`\n\n`;
  if (payload.title) body += `Title: ${payload.title}\n`;
  if (payload.repo) body += `Repo: ${payload.repo}\n`;
  if (payload.branch) body += `Branch: ${payload.branch}\n`;
  return { subject: `Bead status changed: ${beadId}`, body, beadId };
}

export async function deliverNotifications(
  deps: Deps,
  projectId: string,
  sender: Sender,
  projectSlug: string | null,
): Promise<DeliveryCounts> {
  const { sql } = deps;
  const rows = await claimOutboxRows(sql, projectId);
  if (rows.length === 0) return { sent: 0, failed: 0 };
  const live = await liveRecipients(sql, projectId, [...new Set(rows.map((r) => r.recipient_workspace_id))]);
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
        await tx`
          update server.notification_outbox
          set status = 'completed', processed_at = now(), message_id = ${m.message_id}, last_error = null
          where id = ${row.id}`;
        return m;
      });
      counts.sent++;
      delivered.push({ to: row.recipient_workspace_id, messageId: message.message_id, subject });
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      await sql`update server.notification_outbox set status = 'failed', last_error = ${reason} where id = ${row.id}`;
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
