// The beads sync path against its floor. benchSync() bootstraps an agent via
// /v1/init, then for 1,000 and 10,000 issues times a full /v1/bdh/sync that
// inserts them and a second one that changes every status (the expensive
// path: every row updated, every status change recorded), three rounds each,
// median kept. The floor is the
// same rows upserted by a bare postgres.js statement (json_to_recordset →
// insert … on conflict do update) into a scratch copy of beads_issues with the
// same indexes — no HTTP, no JSONL parsing, no normalization, no bookkeeping.
//
// Standalone: bun bench/sync.ts --url http://127.0.0.1:PORT --db postgres://…
import postgres from "postgres";

export interface SyncBenchSize {
  issues: number;
  http_insert_ms: number;
  http_update_ms: number;
  floor_insert_ms: number;
  floor_update_ms: number;
  http_issues_per_s: number;
  floor_issues_per_s: number;
  /** http time / floor time over both passes (1.0 = as fast as the bare upsert). */
  ratio: number;
}

export interface SyncBenchResult {
  sizes: SyncBenchSize[];
}

const SIZES = [1000, 10000];
const ROUNDS = 3;

/** The round (insert ms, update ms) with the median total. */
function medianRound(rounds: [number, number][]): [number, number] {
  const sorted = [...rounds].sort((a, b) => a[0] + a[1] - (b[0] + b[1]));
  return sorted[Math.floor(sorted.length / 2)];
}

function issues(n: number, tag: string, status: string) {
  return Array.from({ length: n }, (_, k) => ({
    id: `bench-${tag}-${k}`,
    title: `Benchmark issue ${k} with a realistic title`,
    description: "Some description text that bd exports with every issue.",
    status,
    priority: k % 4,
    issue_type: "task",
    assignee: "bench",
    labels: ["bench", k % 2 ? "odd" : "even"],
    created_at: "2025-01-01T00:00:00Z",
    updated_at: `2025-01-0${status === "open" ? 1 : 2}T00:00:00Z`,
    dependencies: k > 0 ? [{ issue_id: `bench-${tag}-${k}`, depends_on_id: `bench-${tag}-${k - 1}`, type: "blocks" }] : [],
  }));
}

const toJsonl = (list: object[]) => list.map((i) => JSON.stringify(i)).join("\n") + "\n";

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

async function floorUpsert(sql: postgres.Sql, table: string, projectId: string, list: ReturnType<typeof issues>) {
  // pre-normalized rows, like the server builds them, serialized outside the timing
  const rows = JSON.stringify(
    list.map((i) => ({
      bead_id: i.id,
      title: i.title,
      description: i.description,
      status: i.status,
      priority: i.priority,
      issue_type: i.issue_type,
      assignee: i.assignee,
      labels: i.labels,
      blocked_by: i.dependencies.map((d) => ({ repo: "bench/floor", branch: "main", bead_id: d.depends_on_id })),
      created_at: i.created_at,
      updated_at: i.updated_at,
    })),
  );
  const [ms] = await timed(
    () => sql`
      insert into ${sql(table)} as t (project_id, bead_id, repo, branch, title, description, status, priority,
                                      issue_type, assignee, labels, blocked_by, created_at, updated_at, synced_at)
      select ${projectId}, bead_id, 'bench/floor', 'main', title, description, status, priority,
             issue_type, assignee, labels, blocked_by, created_at, updated_at, now()
      from json_to_recordset(${rows}::text::json) as x(
        bead_id text, title text, description text, status text, priority integer, issue_type text,
        assignee text, labels text[], blocked_by jsonb, created_at timestamptz, updated_at timestamptz)
      on conflict (project_id, repo, branch, bead_id) do update set
        title = excluded.title, description = excluded.description, status = excluded.status,
        priority = excluded.priority, issue_type = excluded.issue_type, assignee = excluded.assignee,
        labels = excluded.labels, blocked_by = excluded.blocked_by, created_at = excluded.created_at,
        updated_at = excluded.updated_at, synced_at = excluded.synced_at`,
  );
  return ms;
}

export async function benchSync(baseUrl: string, databaseUrl: string): Promise<SyncBenchResult> {
  const run = Math.random().toString(36).slice(2, 8);
  const init = await fetch(`${baseUrl}/v1/init`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ project_slug: `bench-sync-${run}`, alias: "bench-sync", repo_origin: `git@github.com:bench/sync-${run}.git` }),
  });
  if (!init.ok) throw new Error(`init failed: ${init.status} ${await init.text()}`);
  const agent = (await init.json()) as { api_key: string; workspace_id: string; repo_id: string; project_id: string };

  const syncHttp = async (jsonlText: string) => {
    const body = JSON.stringify({
      workspace_id: agent.workspace_id,
      repo_id: agent.repo_id,
      alias: "bench-sync",
      human_name: "Bench",
      repo_origin: `git@github.com:bench/sync-${run}.git`,
      command_line: "sync",
      issues_jsonl: jsonlText,
      sync_mode: "full",
      sync_protocol_version: 1,
    });
    const [ms, res] = await timed(() =>
      fetch(`${baseUrl}/v1/bdh/sync`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${agent.api_key}` },
        body,
      }),
    );
    if (!res.ok) throw new Error(`sync failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return ms;
  };

  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const table = `bench_sync_floor_${run}`;
  const sizes: SyncBenchSize[] = [];
  try {
    // same columns, defaults, unique key and indexes (trigram GIN included); no FKs
    await sql`create table ${sql(table)} (like beads.beads_issues including all)`;
    for (const n of SIZES) {
      // Three rounds, the HTTP path and the floor back to back in each; the
      // median round of each side counts (one round swung 0.6–0.9 on this VM).
      const http: [number, number][] = [];
      const floor: [number, number][] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const tag = `${n}-${round}`;
        const open = issues(n, tag, "open");
        const closed = issues(n, tag, "closed");
        http.push([await syncHttp(toJsonl(open)), await syncHttp(toJsonl(closed))]);
        floor.push([
          await floorUpsert(sql, table, agent.project_id, open),
          await floorUpsert(sql, table, agent.project_id, closed),
        ]);
      }
      const [httpInsert, httpUpdate] = medianRound(http);
      const [floorInsert, floorUpdate] = medianRound(floor);
      const round = (x: number) => Math.round(x * 10) / 10;
      sizes.push({
        issues: n,
        http_insert_ms: round(httpInsert),
        http_update_ms: round(httpUpdate),
        floor_insert_ms: round(floorInsert),
        floor_update_ms: round(floorUpdate),
        http_issues_per_s: Math.round((2 * n * 1000) / (httpInsert + httpUpdate)),
        floor_issues_per_s: Math.round((2 * n * 1000) / (floorInsert + floorUpdate)),
        ratio: Math.round(((httpInsert + httpUpdate) / (floorInsert + floorUpdate)) * 100) / 100,
      });
    }
  } finally {
    await sql`drop table if exists ${sql(table)}`;
    await sql.end({ timeout: 5 });
  }
  return { sizes };
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const url = arg("--url");
  const db = arg("--db");
  if (!url || !db) {
    console.error("usage: bun bench/sync.ts --url http://127.0.0.1:PORT --db postgres://…");
    process.exit(2);
  }
  console.log(JSON.stringify(await benchSync(url, db), null, 2));
}
