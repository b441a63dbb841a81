// Export + import at size (issue 16): a zero-config install holding 10,000
// issues (one full `bdh sync` through the API) and 10,000 mails (inserted with
// SQL: filling them one request at a time would time the API, not the move) is
// exported with `beadhub export` and imported into an empty PostgreSQL
// database with `beadhub import`, both the real commands. Then every table's
// row count and an md5 of all its rows are compared: zero rows lost.
// Standalone: `bun bench/backup.ts` (BENCH_FROM_SOURCE=1 for `bun src/main.ts`).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { BUN, ROOT, createDatabase, dbUrl, dropDatabase, freePort, waitFor } from "./lib";

export interface BackupFigures {
  issues: number;
  messages: number;
  export_ms: number;
  import_ms: number;
  file_mb: number;
  tables: number;
  rows: number;
  mismatched_tables: string[];
}

async function run(cmd: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const p = Bun.spawn(cmd, { env, stdout: "ignore", stderr: "pipe" });
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}: ${err}`);
  return Math.round(performance.now() - t0);
}

/** Per table: row count and md5 of every row (row_to_json, primary-key order). */
async function digest(sql: postgres.Sql): Promise<Map<string, string>> {
  const tables = await sql<{ name: string; pk: string }[]>`
    select n.nspname || '.' || c.relname as name,
           (select string_agg(quote_ident(a.attname), ', ' order by u.i)
              from unnest(k.conkey) with ordinality u(num, i)
              join pg_attribute a on a.attrelid = c.oid and a.attnum = u.num) as pk
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    join pg_constraint k on k.conrelid = c.oid and k.contype = 'p'
    where n.nspname in ('aweb', 'server', 'beads') and c.relkind = 'r'`;
  const out = new Map<string, string>();
  for (const t of tables) {
    const [r] = await sql.unsafe(`select count(*) as n, md5(coalesce(string_agg(row_to_json(x)::text, E'\\n' order by ${t.pk}), '')) as h from ${t.name} x`);
    out.set(t.name, `${r!.n}:${r!.h}`);
  }
  return out;
}

export async function benchBackup(cmd: string[], issues = 10_000, messages = 10_000): Promise<BackupFigures> {
  const home = mkdtempSync(join(tmpdir(), "bh-bench-backup-"));
  const dataDir = join(home, "data");
  const file = join(home, "export.jsonl");
  const database = `beadhub_bench_import_${process.pid}`;
  const base = { PATH: process.env.PATH ?? "", HOME: home, BEADHUB_DATA_DIR: dataDir, BEADHUB_LOG_LEVEL: "warning" };
  try {
    // Populate through the zero-config server.
    const port = await freePort();
    const server = Bun.spawn([...cmd, "serve"], { env: { ...base, BEADHUB_PORT: String(port), BEADHUB_HOST: "127.0.0.1" }, stdout: "ignore", stderr: "inherit" });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(`${url}/health`, 60_000, 20);
      const post = async (path: string, body: unknown, token?: string) => {
        const res = await fetch(url + path, {
          method: "POST",
          headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return res.json() as Promise<any>;
      };
      const origin = "git@github.com:bench/backup.git";
      const a = await post("/v1/init", { project_slug: "backup", alias: "alice", human_name: "A", repo_origin: origin });
      await post("/v1/init", { project_slug: "backup", alias: "bob", human_name: "B", repo_origin: origin });
      const jsonl = Array.from({ length: issues }, (_, k) =>
        JSON.stringify({ id: `bk-${k}`, title: `Issue ${k} with a realistic title`, description: "Text bd exports with every issue.", status: "open", priority: k % 4, issue_type: "task", labels: ["bench"] }),
      ).join("\n");
      await post("/v1/bdh/sync", { workspace_id: a.workspace_id, repo_id: a.repo_id, alias: "alice", human_name: "A", repo_origin: origin, issues_jsonl: jsonl, sync_mode: "full", sync_protocol_version: 0 }, a.api_key);
    } finally {
      server.kill("SIGTERM");
      await server.exited;
    }
    // Mails by SQL on the stopped install's database.
    const { openEmbeddedSql } = await import("../src/embedded/runtime");
    const { silentLogger } = await import("../src/log");
    const emb = await openEmbeddedSql(dataDir, silentLogger);
    let source: Map<string, string>;
    try {
      await emb.sql.unsafe(`
        insert into aweb.messages (project_id, from_agent_id, to_agent_id, from_alias, subject, body)
        select a.project_id, a.agent_id, b.agent_id, a.alias, 'Mail ' || g, 'Body of mail ' || g
        from aweb.agents a join aweb.agents b on b.project_id = a.project_id and b.alias = 'bob', generate_series(1, ${messages}) g
        where a.alias = 'alice'`);
      source = await digest(emb.sql);
    } finally {
      await emb.close();
    }

    const exportMs = await run([...cmd, "export", file], base);
    await dropDatabase(database);
    await createDatabase(database);
    const importMs = await run([...cmd, "import", file], { ...base, BEADHUB_DATABASE_URL: dbUrl(database) });
    const sql = postgres(dbUrl(database), { max: 1, onnotice: () => {} });
    let target: Map<string, string>;
    try {
      target = await digest(sql);
    } finally {
      await sql.end();
    }
    const mismatched = [...source].filter(([t, d]) => target.get(t) !== d).map(([t]) => t);
    const rows = [...source.values()].reduce((n, d) => n + Number(d.split(":")[0]), 0);
    return {
      issues,
      messages,
      export_ms: exportMs,
      import_ms: importMs,
      file_mb: Math.round((statSync(file).size / 1048576) * 10) / 10,
      tables: source.size,
      rows,
      mismatched_tables: mismatched,
    };
  } finally {
    await dropDatabase(database).catch(() => {});
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const cmd = process.env.BENCH_FROM_SOURCE ? [BUN, `${ROOT}src/main.ts`] : [`${ROOT}dist/beadhub`];
  console.log(JSON.stringify(await benchBackup(cmd), null, 1));
}
