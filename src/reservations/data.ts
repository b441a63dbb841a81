// aweb.reservations: opaque per-project locks (docs/protocol/reservations.md#reservations-ttl). A row is active
// iff expires_at > now(); expired rows linger until re-acquired or revoked.
// Every decision (free or held? mine or someone else's?) is made inside the
// one statement that changes the row, so concurrent callers cannot both win.
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { ActiveReservation, Reservation, type Held, type Metadata } from "./model";

/** The project's slug rides along on every change, for the event it publishes. */
type WithSlug = { project_slug: string | null };

export type AcquiredRow = Reservation & WithSlug;
export type HolderRow = Omit<Held, "detail">;

/** "%", "_" and "\" in a prefix match themselves, not LIKE wildcards (docs/decisions.md). */
export function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (ch) => "\\" + ch) + "%";
}

const slugOf = (db: Db, projectId: string) =>
  db`(select slug from aweb.projects where project_id = ${projectId}) as project_slug`;

/**
 * Take the key if it is free or its holder's time ran out; null when someone
 * (the caller included, docs/protocol/reservations.md) holds it. ON CONFLICT locks the existing row and
 * re-checks expires_at against its latest version, so of N concurrent callers
 * exactly one gets a row back.
 */
export async function tryAcquire(
  db: Db,
  r: { projectId: string; resourceKey: string; agentId: string; alias: string; ttlSeconds: number; metadata: Metadata },
): Promise<AcquiredRow | null> {
  const rows = await db<AcquiredRow[]>`
    insert into aweb.reservations as r
      (project_id, resource_key, holder_agent_id, holder_alias, acquired_at, expires_at, metadata_json)
    values (${r.projectId}, ${r.resourceKey}, ${r.agentId}, ${r.alias}, now(),
            now() + ${r.ttlSeconds} * interval '1 second', ${db.json(r.metadata as never)})
    on conflict (project_id, resource_key) do update
      set holder_agent_id = excluded.holder_agent_id,
          holder_alias = excluded.holder_alias,
          acquired_at = excluded.acquired_at,
          expires_at = excluded.expires_at,
          metadata_json = excluded.metadata_json
      where r.expires_at <= now()
    returning ${selectList(db, Reservation, "r")}, ${slugOf(db, r.projectId)}`;
  return rows[0] ?? null;
}

/** The current active holder of a key, if any. */
export async function activeHolder(db: Db, projectId: string, resourceKey: string): Promise<HolderRow | null> {
  const rows = await db<HolderRow[]>`
    select holder_agent_id, holder_alias, expires_at
    from aweb.reservations
    where project_id = ${projectId} and resource_key = ${resourceKey} and expires_at > now()`;
  return rows[0] ?? null;
}

/** Active reservations of the project by key, optionally under a literal prefix. */
export async function listActive(db: Db, projectId: string, prefix: string | null): Promise<ActiveReservation[]> {
  return db<ActiveReservation[]>`
    select ${selectList(db, ActiveReservation, "r", {
      metadata: db`r.metadata_json`,
      ttl_remaining_seconds: db`greatest(0, floor(extract(epoch from (r.expires_at - now()))))::int`,
    })}
    from aweb.reservations r
    where project_id = ${projectId} and expires_at > now()
      ${prefix === null ? db`` : db`and resource_key like ${likePrefix(prefix)} escape '\\'`}
    order by resource_key asc`;
}

export type ChangedRow = Pick<ActiveReservation, "resource_key" | "holder_alias" | "expires_at" | "metadata"> & WithSlug;

/** Extend the caller's own active reservation; null when it is not (any longer) theirs. */
export async function renewOwn(
  db: Db,
  projectId: string,
  resourceKey: string,
  agentId: string,
  ttlSeconds: number,
): Promise<ChangedRow | null> {
  const rows = await db<ChangedRow[]>`
    update aweb.reservations
    set expires_at = now() + ${ttlSeconds} * interval '1 second'
    where project_id = ${projectId} and resource_key = ${resourceKey}
      and holder_agent_id = ${agentId} and expires_at > now()
    returning resource_key, holder_alias, expires_at, metadata_json as metadata, ${slugOf(db, projectId)}`;
  return rows[0] ?? null;
}

/** Delete the caller's own active reservation; null when there was none. */
export async function releaseOwn(db: Db, projectId: string, resourceKey: string, agentId: string): Promise<ChangedRow | null> {
  const rows = await db<ChangedRow[]>`
    delete from aweb.reservations
    where project_id = ${projectId} and resource_key = ${resourceKey}
      and holder_agent_id = ${agentId} and expires_at > now()
    returning resource_key, holder_alias, expires_at, metadata_json as metadata, ${slugOf(db, projectId)}`;
  return rows[0] ?? null;
}

/** `active`: the reservation was still held, not merely lingering after expiry. */
export type RevokedRow = Pick<Reservation, "resource_key" | "holder_alias"> & { active: boolean } & WithSlug;

/** Delete the caller's own reservations (expired ones too) under an optional prefix. */
export async function revokeOwn(db: Db, projectId: string, agentId: string, prefix: string | null): Promise<RevokedRow[]> {
  return db<RevokedRow[]>`
    delete from aweb.reservations
    where project_id = ${projectId} and holder_agent_id = ${agentId}
      ${prefix === null ? db`` : db`and resource_key like ${likePrefix(prefix)} escape '\\'`}
    returning resource_key, holder_alias, expires_at > now() as active, ${slugOf(db, projectId)}`;
}

/** Does anyone else hold an active reservation under this prefix? */
export async function othersHoldUnder(db: Db, projectId: string, agentId: string, prefix: string): Promise<boolean> {
  const rows = await db`
    select 1 from aweb.reservations
    where project_id = ${projectId} and holder_agent_id <> ${agentId} and expires_at > now()
      and resource_key like ${likePrefix(prefix)} escape '\\'
    limit 1`;
  return rows.length > 0;
}

export type ForcedRow = Pick<ActiveReservation, "resource_key" | "holder_agent_id" | "holder_alias" | "metadata"> & {
  active: boolean;
} & WithSlug;

/** Delete these keys' reservations whoever holds them (expired ones too); `active` says which were still held. */
export async function deleteKeys(db: Db, projectId: string, resourceKeys: string[]): Promise<ForcedRow[]> {
  return db<ForcedRow[]>`
    delete from aweb.reservations
    where project_id = ${projectId} and resource_key = any(${db.array(resourceKeys)}::text[])
    returning resource_key, holder_agent_id, holder_alias, expires_at > now() as active,
              metadata_json as metadata, ${slugOf(db, projectId)}`;
}
