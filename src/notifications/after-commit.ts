// What follows a committed beads write (sync or upload): drain the project's
// notification outbox as aweb mail from the caller's agent, and publish
// bead.status_changed events (decision §20 Q5: the reference defines the event
// but never publishes it; we do, on the acting workspace's channel).
//
// The sender must be a live agent of the project. When the caller has none
// (a key not bound to an agent, or a proxy actor that is not an agent), the
// reference answers 401 after the sync has already committed; we skip the
// delivery instead — the intents stay pending for the next write — so the
// client is not told a committed sync failed.
//
// At most MAX_STATUS_EVENTS bead.status_changed events go out per write: a
// bulk import that flips thousands of statuses would otherwise flood every
// dashboard stream (and cost ~0.1 ms per publish); past that many changes a
// viewer has to refetch anyway.
import type { Deps } from "../deps";
import type { RequestAuth } from "../auth/identity";
import { AppError } from "../http/errors";
import { publishWorkspaceEvent } from "../events/publish";
import type { StatusChange } from "../beads/upsert";
import { deliverNotifications, type DeliveryCounts } from "./deliver";

export const MAX_STATUS_EVENTS = 200;

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

async function slugOf(deps: Deps, projectId: string): Promise<string | null> {
  const rows = await deps.sql<{ slug: string }[]>`select slug from server.projects where id = ${projectId}`;
  return rows[0]?.slug ?? null;
}

export async function afterBeadsCommit(deps: Deps, auth: RequestAuth, a: AfterCommit): Promise<DeliveryCounts> {
  let counts: DeliveryCounts = { sent: 0, failed: 0 };
  if (!a.drain && a.changes.length === 0) return counts;
  const slug = a.projectSlug !== undefined ? a.projectSlug : await slugOf(deps, a.projectId);
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
