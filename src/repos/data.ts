// server.repos: one row per (project, canonical origin), soft-deleted.
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { repoNameOf } from "./canonical-origin";
import { RepoFound, RepoSummary, type RepoFoundAnswer } from "./model";

/** GET /v1/repos's item, before created_at is written with a "Z". */
export type RepoSummaryRow = typeof RepoSummary.static;

/** The stored repo other features write against (they read `id`, not the wire's repo_id). */
export type RepoRow = Pick<RepoSummaryRow, "id" | "project_id" | "canonical_origin" | "name">;

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

const foundColumns = (db: Db) => selectList(db, RepoFound, "r", { repo_id: db`r.id`, project_slug: db`p.slug` });

/** Live repos with this canonical origin in live projects, ordered by project slug. */
export async function findReposByOrigin(db: Db, canonicalOrigin: string): Promise<RepoFoundAnswer[]> {
  return db<RepoFoundAnswer[]>`
    select ${foundColumns(db)}
    from server.repos r
    join server.projects p on p.id = r.project_id and p.deleted_at is null
    where r.canonical_origin = ${canonicalOrigin} and r.deleted_at is null
    order by p.slug`;
}

/** The live repo with this canonical origin in this (live) project, if any. */
export async function findRepoInProject(db: Db, projectId: string, canonicalOrigin: string): Promise<RepoFoundAnswer | null> {
  const rows = await db<RepoFoundAnswer[]>`
    select ${foundColumns(db)}
    from server.repos r
    join server.projects p on p.id = r.project_id and p.deleted_at is null
    where r.project_id = ${projectId} and r.canonical_origin = ${canonicalOrigin} and r.deleted_at is null`;
  return rows[0] ?? null;
}

/** Live repos of a project in (created_at, id) order, strictly after the keyset position; limit+1 rows. */
export async function listRepos(
  db: Db,
  projectId: string,
  after: { createdAt: string; id: string } | null,
  limit: number,
): Promise<RepoSummaryRow[]> {
  return db<RepoSummaryRow[]>`
    select ${selectList(db, RepoSummary, "r", {
      workspace_count: db`(count(w.workspace_id) filter (where w.deleted_at is null))::int`,
    })}
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
