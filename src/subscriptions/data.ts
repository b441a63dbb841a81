// server.subscriptions: which workspace wants to hear about which bead
// (docs/protocol/subscriptions.md). Notifications read these rows during sync.
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { Subscription, type SubscriptionAnswer } from "./model";

// A row is the answer: the wire is snake_case end to end.
const columns = (db: Db) => selectList(db, Subscription, "s", { subscription_id: db`s.id` });

export interface NewSubscription {
  projectId: string;
  workspaceId: string;
  alias: string;
  beadId: string;
  repo: string | null;
  eventTypes: string[];
}

/**
 * Idempotent: one row per (project, workspace, bead, repo-or-none); subscribing
 * again replaces event_types and returns the existing id.
 */
export async function upsertSubscription(db: Db, s: NewSubscription): Promise<SubscriptionAnswer> {
  const rows = await db<SubscriptionAnswer[]>`
    insert into server.subscriptions as s (project_id, workspace_id, alias, bead_id, repo, event_types)
    values (${s.projectId}, ${s.workspaceId}, ${s.alias}, ${s.beadId}, ${s.repo}, ${db.array(s.eventTypes)}::text[])
    on conflict (project_id, workspace_id, bead_id, coalesce(repo, ''))
    do update set event_types = excluded.event_types
    returning ${columns(db)}`;
  return rows[0];
}

export async function listSubscriptions(db: Db, projectId: string, workspaceId: string): Promise<SubscriptionAnswer[]> {
  return db<SubscriptionAnswer[]>`
    select ${columns(db)}
    from server.subscriptions s
    where project_id = ${projectId} and workspace_id = ${workspaceId}
    order by created_at desc`;
}

/** Delete only a row owned by this workspace and alias in this project; false when none matched. */
export async function deleteSubscription(
  db: Db,
  projectId: string,
  workspaceId: string,
  alias: string,
  subscriptionId: string,
): Promise<boolean> {
  const rows = await db`
    delete from server.subscriptions
    where id = ${subscriptionId} and project_id = ${projectId} and workspace_id = ${workspaceId} and alias = ${alias}
    returning id`;
  return rows.length > 0;
}
