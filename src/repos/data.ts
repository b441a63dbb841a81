// server.repos: one row per (project, canonical origin), soft-deleted.
import type { Db } from "../db/pool";
import { repoNameOf } from "./canonical-origin";

export interface RepoRow {
  id: string;
  project_id: string;
  canonical_origin: string;
  name: string;
}

/** Upsert on (project_id, canonical_origin): refreshes origin_url and revives a deleted row. */
export async function ensureRepo(
  db: Db,
  projectId: string,
  originUrl: string,
  canonicalOrigin: string,
): Promise<RepoRow & { created: boolean }> {
  const rows = await db<(RepoRow & { created: boolean })[]>`
    insert into server.repos (project_id, origin_url, canonical_origin, name)
    values (${projectId}, ${originUrl}, ${canonicalOrigin}, ${repoNameOf(canonicalOrigin)})
    on conflict (project_id, canonical_origin)
      do update set origin_url = excluded.origin_url, deleted_at = null
    returning id, project_id, canonical_origin, name, (xmax = 0) as created`;
  return rows[0];
}

export interface RepoWithProject {
  repo_id: string;
  project_id: string;
  project_slug: string;
  canonical_origin: string;
  name: string;
}

/** Live repos with this canonical origin in live projects, ordered by project slug. */
export async function findReposByOrigin(db: Db, canonicalOrigin: string): Promise<RepoWithProject[]> {
  return db<RepoWithProject[]>`
    select r.id as repo_id, r.project_id, p.slug as project_slug, r.canonical_origin, r.name
    from server.repos r
    join server.projects p on p.id = r.project_id and p.deleted_at is null
    where r.canonical_origin = ${canonicalOrigin} and r.deleted_at is null
    order by p.slug`;
}
