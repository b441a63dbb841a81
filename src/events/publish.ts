// beadhub dashboard events (docs/protocol/redis.md#redis-what-lives-there): JSON on events:{workspace_id},
// base fields workspace_id, type, timestamp, project_slug, then type-specific ones.
// Publish only after the transaction that caused the event has committed.
import type { Deps } from "../deps";
import { nowIso } from "../http/time";
import { channels } from "../redis/keys";
import { readPresence } from "../presence/presence";

export type EventType =
  | "escalation.created"
  | "escalation.responded"
  | "message.delivered"
  | "message.acknowledged"
  | "reservation.acquired"
  | "reservation.released"
  | "reservation.renewed"
  | "bead.status_changed"
  | "bead.claimed"
  | "bead.unclaimed"
  | "chat.message_sent";

export async function publishWorkspaceEvent(
  deps: Deps,
  workspaceId: string,
  type: EventType,
  projectSlug: string | null,
  fields: Record<string, unknown>,
): Promise<void> {
  const event = { workspace_id: workspaceId, type, timestamp: nowIso(), project_slug: projectSlug, ...fields };
  await deps.bus.publish(channels.workspaceEvents(workspaceId), JSON.stringify(event));
}

/** The project slug an event carries when the publisher has none at hand: the presence hash's, or null. */
export async function presenceSlug(deps: Deps, workspaceId: string): Promise<string | null> {
  const presence = await readPresence(deps, [workspaceId]);
  return presence.get(workspaceId)?.project_slug || null;
}
