// server.notification_outbox: SQL only (docs/protocol/sync.md#beads-notifications). The rules
// (when intents are written, how a drain delivers them) are in service.ts.
//
// Decision (docs/decisions.md Q3): a subscription with a NULL repo matches every repo; the
// reference never matches such rows although the docs say it should.
import type { Db } from "../db/pool";
import type { StatusChange } from "../beads/model";

export const MAX_ATTEMPTS = 3;
export const BATCH = 100;
/**
 * A claimed row not finished within this many seconds belonged to a process
 * that died mid-delivery: the next drain takes it back (attempts still count).
 * Far longer than a drain of BATCH rows takes.
 */
export const OUTBOX_LEASE_SECONDS = 300;

export interface OutboxRow {
  id: string;
  payload: Record<string, unknown>;
  recipient_workspace_id: string;
  created_at: string;
}

/** One outbox row per (status change, matching subscription); returns how many. */
export async function insertNotificationIntents(tx: Db, projectId: string, changes: StatusChange[]): Promise<number> {
  const rows = await tx`
    insert into server.notification_outbox (project_id, event_type, payload, recipient_workspace_id, recipient_alias)
    select ${projectId}, 'bead_status_change',
           jsonb_build_object('bead_id', c.bead_id, 'repo', c.repo, 'branch', c.branch,
                              'old_status', c.old_status, 'new_status', c.new_status, 'title', c.title),
           s.workspace_id, s.alias
    from json_to_recordset(${JSON.stringify(changes)}::text::json)
           as c(bead_id text, repo text, branch text, old_status text, new_status text, title text)
    join server.subscriptions s
      on s.project_id = ${projectId}
     and s.bead_id = c.bead_id
     and (s.repo = c.repo or s.repo is null)
     and ('status_change' = any(s.event_types) or 'all' = any(s.event_types))
    returning id`;
  return rows.length;
}

/**
 * Claim up to BATCH pending/failed rows of the project (attempts below the
 * cap, or a lapsed lease), flipping them to 'processing' in the same
 * statement; oldest first.
 */
export async function claimOutboxRows(db: Db, projectId: string): Promise<OutboxRow[]> {
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

/** Live recipient workspaces → their alias. */
export async function findLiveRecipients(db: Db, projectId: string, ids: string[]): Promise<Map<string, string>> {
  const rows = await db<{ workspace_id: string; alias: string }[]>`
    select workspace_id, alias from server.workspaces
    where project_id = ${projectId} and deleted_at is null and workspace_id = any(${db.array(ids)}::uuid[])`;
  return new Map(rows.map((r) => [r.workspace_id, r.alias]));
}

export async function markOutboxDelivered(tx: Db, id: string, messageId: string): Promise<void> {
  await tx`
    update server.notification_outbox
    set status = 'completed', processed_at = now(), message_id = ${messageId}, last_error = null
    where id = ${id}`;
}

export async function markOutboxFailed(db: Db, id: string, reason: string): Promise<void> {
  await db`update server.notification_outbox set status = 'failed', last_error = ${reason} where id = ${id}`;
}

