// Project rows: the aweb project (identity) and its beadhub mirror
// (server.projects, same id), which beadhub-only tables hang off.
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { CurrentProject, ProjectSummary } from "./model";

/** The aweb project row is GET /v1/projects/current's answer. */
export type AwebProject = typeof CurrentProject.static;

export async function findProjectBySlug(db: Db, slug: string): Promise<AwebProject | null> {
  const rows = await db<AwebProject[]>`
    select ${selectList(db, CurrentProject, "p")} from aweb.projects p
    where p.slug = ${slug} and p.tenant_id is null and p.deleted_at is null`;
  return rows[0] ?? null;
}

export async function findProjectById(db: Db, projectId: string): Promise<AwebProject | null> {
  const rows = await db<AwebProject[]>`
    select ${selectList(db, CurrentProject, "p")} from aweb.projects p
    where p.project_id = ${projectId} and p.deleted_at is null`;
  return rows[0] ?? null;
}

/** Find the active project by slug or create it; concurrent callers converge on one row. */
export async function ensureAwebProject(db: Db, slug: string, name: string): Promise<AwebProject> {
  for (;;) {
    const found = await findProjectBySlug(db, slug);
    if (found) return found;
    const inserted = await db<AwebProject[]>`
      insert into aweb.projects as p (slug, name) values (${slug}, ${name})
      on conflict (slug) where tenant_id is null and deleted_at is null do nothing
      returning ${selectList(db, CurrentProject, "p")}`;
    if (inserted[0]) return inserted[0];
  }
}

/** Upsert the beadhub mirror row (id = aweb project id) and revive it if deleted. */
export async function ensureServerProject(db: Db, project: AwebProject): Promise<void> {
  await db`
    insert into server.projects (id, slug, name)
    values (${project.project_id}, ${project.slug}, ${project.name || project.slug})
    on conflict (id) do update set deleted_at = null`;
}

export interface ServerProject {
  id: string;
  slug: string;
  name: string | null;
  active_policy_id: string | null;
}

export async function findServerProject(db: Db, projectId: string): Promise<ServerProject | null> {
  const rows = await db<ServerProject[]>`
    select id, slug, name, active_policy_id from server.projects
    where id = ${projectId} and deleted_at is null`;
  return rows[0] ?? null;
}

/** The project with its live repo and workspace counts (GET /v1/projects), or none. */
export async function listProjectSummaries(db: Db, projectId: string): Promise<ProjectSummary[]> {
  return db<ProjectSummary[]>`
    select ${selectList(db, ProjectSummary, "p", {
      id: db`p.project_id`,
      repo_count: db`(select count(*)::int from server.repos r where r.project_id = p.project_id and r.deleted_at is null)`,
      workspace_count: db`(select count(*)::int from server.workspaces w where w.project_id = p.project_id and w.deleted_at is null)`,
    })}
    from aweb.projects p
    where p.project_id = ${projectId} and p.deleted_at is null`;
}
