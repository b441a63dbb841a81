// The embedded test pass (BEADHUB_TEST_EMBEDDED=1): each test file runs on its
// own embedded PostgreSQL (PGlite has a single database, so one data
// directory per file) copied from a migrated template directory, plus the
// in-process Redis. The template is built once per migration set and PGlite
// version and kept in the temp dir, like the Postgres template database.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pglitePackage from "../../node_modules/@electric-sql/pglite/package.json" with { type: "json" };
import { migrate } from "../../src/db/migrate";
import { MIGRATIONS } from "../../src/db/migrations";
import { openEmbeddedSql, type EmbeddedSql } from "../../src/embedded/runtime";
import { silentLogger } from "../../src/log";

export const EMBEDDED = process.env.BEADHUB_TEST_EMBEDDED === "1";

function templateDir(): string {
  const hash = createHash("sha256").update(pglitePackage.version + "\n");
  for (const m of MIGRATIONS) hash.update(m.schema + "/" + m.name + "\n" + m.sql);
  return join(tmpdir(), "beadhub-pglite-tmpl-" + hash.digest("hex").slice(0, 12));
}

let building: Promise<string> | null = null;

/** The migrated template data directory (built unless it already exists). */
export function ensureEmbeddedTemplate(): Promise<string> {
  building ??= (async () => {
    const dir = templateDir();
    if (existsSync(join(dir, "READY"))) return dir;
    const build = `${dir}.build.${process.pid}`;
    rmSync(build, { recursive: true, force: true });
    const db = await openEmbeddedSql(build, silentLogger);
    try {
      await migrate(db.sql);
    } finally {
      await db.close();
    }
    writeFileSync(join(build, "READY"), "");
    try {
      renameSync(build, dir);
    } catch {
      // Another test process finished first; theirs is as good as ours.
      rmSync(build, { recursive: true, force: true });
    }
    return dir;
  })();
  return building;
}

export interface EmbeddedTestDb extends EmbeddedSql {
  dataDir: string;
  name: string;
}

/** A fresh embedded database for one test file, in a temp dir removed on close. */
export async function startEmbeddedTestDb(): Promise<EmbeddedTestDb> {
  const template = await ensureEmbeddedTemplate();
  const dataDir = mkdtempSync(join(tmpdir(), "bh-emb-"));
  cpSync(join(template, "pgdata"), join(dataDir, "pgdata"), { recursive: true });
  const db = await openEmbeddedSql(dataDir, silentLogger);
  return {
    ...db,
    dataDir,
    name: dataDir.slice(dataDir.lastIndexOf("/") + 1),
    async close() {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
