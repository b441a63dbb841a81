import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMigrationFiles } from "../src/db/migration-files";
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

describe("the migration list is generated from migrations/**", () => {
  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), "beadhub-migrations-"));
    cleanups.push(async () => rmSync(root, { recursive: true, force: true }));
    for (const [path, sql] of Object.entries(files)) {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), sql);
    }
    return root;
  }

  test("every file on disk is registered, in dependency order (0001s first, aweb → server → beads)", () => {
    expect(MIGRATIONS.map((m) => `${m.schema}/${m.name}`)).toEqual(readMigrationFiles().map((m) => `${m.schema}/${m.name}`));
    const ordered = readMigrationFiles(
      tree({ "beads/0001_a.sql": "b1", "server/0001_a.sql": "s1", "server/0002_b.sql": "s2", "aweb/0001_a.sql": "a1", "aweb/0002_b.sql": "a2" }),
    );
    expect(ordered.map((m) => `${m.schema}/${m.name}`)).toEqual([
      "aweb/0001_a", "server/0001_a", "beads/0001_a", "aweb/0002_b", "server/0002_b",
    ]);
    expect(ordered[0].sql).toBe("a1");
  });

  test("a gap, a misnamed file or an unknown schema fails the build", () => {
    expect(() => readMigrationFiles(tree({ "server/0001_a.sql": "", "server/0003_c.sql": "" }))).toThrow(/0003_c.sql: expected number 0002/);
    expect(() => readMigrationFiles(tree({ "server/1_a.sql": "" }))).toThrow(/expected NNNN_verb_object.sql/);
    expect(() => readMigrationFiles(tree({ "other/0001_a.sql": "" }))).toThrow(/unknown schema/);
  });
});
