// Notification intents (contract beadhub.md §13.5 step 1–2): one outbox row per
// (status change, matching subscription), written by the caller inside the
// same transaction as the upsert that produced the changes, so an intent
// exists exactly when the change committed.
//
// Decision (§20 Q3): a subscription with a NULL repo matches every repo; the
// reference never matches such rows although the docs say it should.
import type { Db } from "../db/pool";
import type { StatusChange } from "../beads/upsert";

export async function recordNotificationIntents(tx: Db, projectId: string, changes: StatusChange[]): Promise<number> {
  if (changes.length === 0) return 0;
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
