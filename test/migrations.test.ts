import { afterAll, describe, expect, test } from "bun:test";
import { migrate } from "../src/db/migrate";
import { MIGRATIONS } from "../src/db/migrations";
import { openSql, type Sql } from "../src/db/pool";
import { createDatabaseFromTemplate, createEmptyDatabase, dropDatabase, urlFor } from "./support/db";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function emptyDb(): Promise<Sql> {
  const name = await createEmptyDatabase();
  const sql = openSql(urlFor(name), { max: 4 });
  cleanups.push(async () => {
    await sql.end({ timeout: 5 });
    await dropDatabase(name);
  });
  return sql;
}

describe("migrations", () => {
  test("apply every file once, then re-running is a no-op", async () => {
    const sql = await emptyDb();
    const first = await migrate(sql);
    expect(first.applied).toEqual(MIGRATIONS.map((m) => `${m.schema}/${m.name}`));
    const second = await migrate(sql);
    expect(second).toEqual({ applied: [], skipped: MIGRATIONS.length });
    const rows = await sql`select schema_name, name from public.beadhub_migrations order by applied_at, schema_name`;
    expect(rows.length).toBe(MIGRATIONS.length);
    const schemas = await sql`select nspname from pg_namespace where nspname in ('aweb', 'server', 'beads') order by 1`;
    expect(schemas.map((r) => r.nspname)).toEqual(["aweb", "beads", "server"]);
    const ext = await sql`select extname from pg_extension where extname = 'pg_trgm'`;
    expect(ext.length).toBe(1);
  });

  test("two instances migrating at once: one applies, the other waits and finds nothing to do", async () => {
    const sql = await emptyDb();
    const other = openSql(sql.options.host ? urlFor((await sql`select current_database() as d`)[0].d) : "", { max: 2 });
    cleanups.push(() => other.end({ timeout: 5 }));
    const [a, b] = await Promise.all([migrate(sql), migrate(other)]);
    expect(a.applied.length + b.applied.length).toBe(MIGRATIONS.length);
    expect(Math.min(a.applied.length, b.applied.length)).toBe(0);
  });

  test("a changed migration is refused", async () => {
    const sql = await emptyDb();
    await migrate(sql);
    const tampered = MIGRATIONS.map((m, i) => (i === 0 ? { ...m, sql: m.sql + "\n-- edited" } : m));
    await expect(migrate(sql, tampered)).rejects.toThrow(/changed after it was applied/);
  });

  test("GIN trigram indexes exist on beads_issues title and bead_id", async () => {
    const sql = await emptyDb();
    await migrate(sql);
    const rows = await sql`
      select indexdef from pg_indexes where schemaname = 'beads' and tablename = 'beads_issues' and indexdef ilike '%gin_trgm_ops%'`;
    const defs = rows.map((r) => String(r.indexdef)).join("\n");
    expect(defs).toContain("(title gin_trgm_ops)");
    expect(defs).toContain("(bead_id gin_trgm_ops)");
  });
});

describe("workspace immutability trigger", async () => {
  const name = await createDatabaseFromTemplate();
  const sql = openSql(urlFor(name), { max: 2 });
  cleanups.push(async () => {
    await sql.end({ timeout: 5 });
    await dropDatabase(name);
  });
  const [p] = await sql`insert into server.projects (id, slug, name) values (gen_random_uuid(), 'trig', 'trig') returning id`;
  const [r] = await sql`
    insert into server.repos (project_id, origin_url, canonical_origin, name)
    values (${p.id}, 'x', 'github.com/a/b', 'b') returning id`;
  const [r2] = await sql`
    insert into server.repos (project_id, origin_url, canonical_origin, name)
    values (${p.id}, 'y', 'github.com/a/c', 'c') returning id`;
  const [w] = await sql`
    insert into server.workspaces (workspace_id, project_id, repo_id, alias)
    values (gen_random_uuid(), ${p.id}, ${r.id}, 'w1') returning workspace_id, updated_at`;

  test("alias, project and workspace_type are immutable", async () => {
    await expect(sql`update server.workspaces set alias = 'w2' where workspace_id = ${w.workspace_id}`).rejects.toThrow(/alias is immutable/);
    await expect(sql`update server.workspaces set workspace_type = 'dashboard' where workspace_id = ${w.workspace_id}`).rejects.toThrow(/immutable/);
  });

  test("repo_id may not move to another repo", async () => {
    await expect(sql`update server.workspaces set repo_id = ${r2.id} where workspace_id = ${w.workspace_id}`).rejects.toThrow(/repo_id/);
  });

  test("every update bumps updated_at; clearing repo_id soft-deletes", async () => {
    await Bun.sleep(5);
    const [u] = await sql`update server.workspaces set hostname = 'h' where workspace_id = ${w.workspace_id} returning updated_at`;
    expect(u.updated_at > w.updated_at).toBe(true);
    const [d] = await sql`update server.workspaces set repo_id = null where workspace_id = ${w.workspace_id} returning deleted_at`;
    expect(d.deleted_at).not.toBeNull();
  });
});
