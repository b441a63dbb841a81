// server.repos: one row per (project, canonical origin), soft-deleted.
import type { Db } from "../db/pool";
import { repoNameOf } from "./canonical-origin";
import type { RepoSummary } from "./model";

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

/** The live repo with this canonical origin in this (live) project, if any. */
export async function findRepoInProject(db: Db, projectId: string, canonicalOrigin: string): Promise<RepoWithProject | null> {
  const rows = await db<RepoWithProject[]>`
    select r.id as repo_id, r.project_id, p.slug as project_slug, r.canonical_origin, r.name
    from server.repos r
    join server.projects p on p.id = r.project_id and p.deleted_at is null
    where r.project_id = ${projectId} and r.canonical_origin = ${canonicalOrigin} and r.deleted_at is null`;
  return rows[0] ?? null;
}

/** GET /v1/repos's item, before created_at is written with a "Z". */
export type RepoSummaryRow = typeof RepoSummary.static;

/** Live repos of a project in (created_at, id) order, strictly after the keyset position; limit+1 rows. */
export async function listRepos(
  db: Db,
  projectId: string,
  after: { createdAt: string; id: string } | null,
  limit: number,
): Promise<RepoSummaryRow[]> {
  return db<RepoSummaryRow[]>`
    select r.id, r.project_id, r.canonical_origin, r.name, r.created_at,
           (count(w.workspace_id) filter (where w.deleted_at is null))::int as workspace_count
    from server.repos r
    left join server.workspaces w on w.repo_id = r.id
    where r.deleted_at is null and r.project_id = ${projectId}
      ${after === null ? db`` : db`and (r.created_at, r.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`}
    group by r.id
    order by r.created_at, r.id
    limit ${limit + 1}`;
}

/** Soft-delete a live repo of the project; false when there is no such repo. */
export async function softDeleteRepo(db: Db, projectId: string, repoId: string): Promise<boolean> {
  const repo = await db`
    update server.repos set deleted_at = now()
    where id = ${repoId} and project_id = ${projectId} and deleted_at is null
    returning id`;
  return repo.length > 0;
}

/** The canonical origin of a live repo of the project, or null when it is gone. */
export async function findLiveRepoOrigin(db: Db, projectId: string, repoId: string): Promise<string | null> {
  const rows = await db<{ canonical_origin: string }[]>`
    select canonical_origin from server.repos
    where id = ${repoId} and project_id = ${projectId} and deleted_at is null`;
  return rows[0]?.canonical_origin ?? null;
}

/** A repo's canonical origin by id, deleted or not (init names the repo a workspace was registered for). */
export async function findRepoOriginById(db: Db, repoId: string): Promise<string | null> {
  const [row] = await db<{ canonical_origin: string }[]>`select canonical_origin from server.repos where id = ${repoId}`;
  return row?.canonical_origin ?? null;
}
