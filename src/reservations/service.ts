// Reservation operations for the acting agent (docs/protocol/reservations.md#reservations-ttl) plus the dashboard
// events they cause (docs/protocol/redis.md#redis-what-lives-there; we publish them, the reference never did).
import type { Deps } from "../deps";
import type { Actor, Human } from "../auth/identity";
import { conflict, forbidden, notFound } from "../http/errors";
import { bodyInt } from "../http/wire";
import { publishWorkspaceEvent, type EventType } from "../events/publish";
import {
  activeHolder,
  listActive,
  deleteKeys,
  othersHoldUnder,
  releaseOwn,
  renewOwn,
  revokeOwn,
  tryAcquire,
} from "./data";
import type { Acquired, ActiveReservation, ForceReleased, Held, Metadata, Released, Renewed, Revoked } from "./model";

export const MIN_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 3600;

/** ttl_seconds: default 60, ≤0 is a 422, anything else clamped to [60, 3600] (docs/protocol/reservations.md). */
export function reservationTtl(raw: unknown): number {
  if (raw === undefined) return MIN_TTL_SECONDS;
  const ttl = bodyInt(raw, ["body", "ttl_seconds"], 1);
  return Math.min(MAX_TTL_SECONDS, Math.max(MIN_TTL_SECONDS, ttl));
}

async function publish(
  deps: Deps,
  type: EventType,
  actor: Actor,
  projectSlug: string | null,
  paths: string[],
  ttlSeconds: number | null,
  reason: unknown,
): Promise<void> {
  await publishWorkspaceEvent(deps, actor.agentId, type, projectSlug, {
    paths,
    alias: actor.alias,
    ttl_seconds: ttlSeconds,
    bead_id: null,
    reason: typeof reason === "string" ? reason : null,
    exclusive: true,
  });
}

export async function acquire(
  deps: Deps,
  actor: Actor,
  resourceKey: string,
  ttlSeconds: number,
  metadata: Metadata,
): Promise<{ acquired: Acquired } | { held: Held }> {
  // A holder that releases between our insert and our read leaves nothing to
  // report; the key is then free, so try again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await tryAcquire(deps.sql, {
      projectId: actor.projectId,
      resourceKey,
      agentId: actor.agentId,
      alias: actor.alias,
      ttlSeconds,
      metadata,
    });
    if (row) {
      const { project_slug, ...reservation } = row;
      await publish(deps, "reservation.acquired", actor, project_slug, [resourceKey], ttlSeconds, metadata.reason);
      return { acquired: { status: "acquired", ...reservation } };
    }
    const holder = await activeHolder(deps.sql, actor.projectId, resourceKey);
    if (holder) return { held: { detail: "Reservation is already held", ...holder } };
  }
  throw conflict("Reservation is already held");
}

export async function renew(deps: Deps, actor: Actor, resourceKey: string, ttlSeconds: number): Promise<Renewed> {
  const row = await renewOwn(deps.sql, actor.projectId, resourceKey, actor.agentId, ttlSeconds);
  if (!row) {
    const holder = await activeHolder(deps.sql, actor.projectId, resourceKey);
    if (!holder) throw notFound("Reservation not found");
    throw conflict("Reservation held by another agent");
  }
  await publish(deps, "reservation.renewed", actor, row.project_slug, [resourceKey], ttlSeconds, row.metadata.reason);
  return { status: "renewed", resource_key: resourceKey, expires_at: row.expires_at };
}

export async function release(deps: Deps, actor: Actor, resourceKey: string): Promise<Released> {
  const row = await releaseOwn(deps.sql, actor.projectId, resourceKey, actor.agentId);
  if (row) {
    await publish(deps, "reservation.released", actor, row.project_slug, [resourceKey], null, row.metadata.reason);
  } else if (await activeHolder(deps.sql, actor.projectId, resourceKey)) {
    // Not ours and still active: someone else's.
    throw conflict("Reservation held by another agent");
  }
  // Missing or expired: idempotent success (docs/protocol/reservations.md#reservations-ttl).
  return { status: "released", resource_key: resourceKey };
}

/**
 * Revoke the caller's own reservations (aweb-later scope, docs/decisions.md).
 * With a prefix that matched only other agents' active reservations → 403.
 * Both response shapes at once: the server's {deleted} and aw's
 * {revoked_count, revoked_keys} (docs/protocol/reservations.md#reservations-revoke).
 */
export async function revoke(deps: Deps, actor: Actor, prefix: string | null): Promise<Revoked> {
  const rows = await revokeOwn(deps.sql, actor.projectId, actor.agentId, prefix);
  if (rows.length === 0 && prefix !== null && (await othersHoldUnder(deps.sql, actor.projectId, actor.agentId, prefix))) {
    throw forbidden("Cannot revoke reservations held by other agents");
  }
  const keys = rows.map((r) => r.resource_key).sort();
  const active = rows.filter((r) => r.active).map((r) => r.resource_key).sort();
  if (active.length > 0) {
    await publish(deps, "reservation.released", actor, rows[0].project_slug, active, null, null);
  }
  return { status: "revoked", deleted: rows.length, revoked_count: rows.length, revoked_keys: keys };
}

/** Active reservations of the project by key, optionally under a literal prefix. */
export function listReservations(deps: Deps, projectId: string, prefix: string | null): Promise<ActiveReservation[]> {
  return listActive(deps.sql, projectId, prefix);
}

/**
 * A human's force-release (docs/protocol/dashboard-api.md#post-v1reservationsforce-release-human-only):
 * the keys' reservations go whoever holds them. Keys in request order, each
 * once; an expired or missing one is not_found. Each holder's channel gets
 * reservation.released with forced and released_by.
 */
export async function forceRelease(deps: Deps, human: Human, resourceKeys: string[]): Promise<ForceReleased> {
  const keys = [...new Set(resourceKeys)];
  const rows = await deleteKeys(deps.sql, human.projectId, keys);
  const held = new Map(rows.filter((r) => r.active).map((r) => [r.resource_key, r]));
  for (const row of held.values()) {
    await publishWorkspaceEvent(deps, row.holder_agent_id, "reservation.released", row.project_slug, {
      paths: [row.resource_key],
      alias: row.holder_alias,
      ttl_seconds: null,
      bead_id: null,
      reason: typeof row.metadata?.reason === "string" ? row.metadata.reason : null,
      exclusive: true,
      forced: true,
      released_by: human.name,
    });
  }
  return { released: keys.filter((k) => held.has(k)), not_found: keys.filter((k) => !held.has(k)) };
}
