// Tenant fairness (issue 19, defect 4): the p99 of another project's light
// requests (agents list, inbox, presence heartbeat) while one project floods
// the server with ten parallel 10,000-issue syncs, against the same p99
// with no flood. Closed loops: LIGHT_LOOPS light clients, FLOOD_LOOPS sync clients.
//
// Standalone: bun bench/fairness.ts http://127.0.0.1:PORT
import { json } from "./lib";

const SECONDS = Number(process.env.BENCH_FAIRNESS_SECONDS ?? 10);
const LIGHT_LOOPS = 8;
const FLOOD_LOOPS = 10;
const FLOOD_ISSUES = 10_000;

export interface FairnessResult {
  quiet: { p50_ms: number; p99_ms: number; requests: number; errors: number };
  flood: { p50_ms: number; p99_ms: number; requests: number; errors: number; syncs: number; sync_errors: number };
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN);

async function init(base: string, slug: string, alias: string) {
  return json<{ api_key: string; workspace_id: string; repo_id: string; agent_id: string }>(
    await fetch(`${base}/v1/init`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project_slug: slug, alias, repo_origin: `git@github.com:${slug}/app.git`, human_name: "Bench" }),
    }),
  );
}

async function lightLoops(base: string, key: string, until: number) {
  const auth = { authorization: `Bearer ${key}` };
  const calls: [string, RequestInit][] = [
    ["/v1/agents", { headers: auth }],
    ["/v1/messages/inbox?limit=50", { headers: auth }],
    ["/v1/agents/heartbeat", { method: "POST", headers: auth }],
  ];
  const ms: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: LIGHT_LOOPS }, async (_, loop) => {
      for (let i = loop; performance.now() < until; i++) {
        const [path, init] = calls[i % calls.length];
        const t0 = performance.now();
        const res = await fetch(base + path, init).catch(() => null);
        if (res) await res.arrayBuffer();
        ms.push(performance.now() - t0);
        if (!res || !res.ok) errors++;
      }
    }),
  );
  ms.sort((a, b) => a - b);
  return { p50_ms: Math.round(pct(ms, 0.5) * 10) / 10, p99_ms: Math.round(pct(ms, 0.99) * 10) / 10, requests: ms.length, errors };
}

export async function benchFairness(base: string): Promise<FairnessResult> {
  const victim = await init(base, "fair-victim", "quiet");
  const flooders = await Promise.all(Array.from({ length: FLOOD_LOOPS }, (_, i) => init(base, "fair-flood", `flood-${i}`)));
  // Bodies built once: the bench process should spend its time sending.
  const bodies = flooders.map((a, i) =>
    [0, 1].map((round) =>
      JSON.stringify({
        workspace_id: a.workspace_id,
        repo_id: a.repo_id,
        alias: `flood-${i}`,
        human_name: "Bench",
        repo_origin: "git@github.com:fair-flood/app.git",
        sync_mode: "full",
        issues_jsonl:
          Array.from({ length: FLOOD_ISSUES }, (_, k) =>
            JSON.stringify({ id: `fl-${i}-${k}`, title: `Flood ${k}`, status: round ? "closed" : "open", priority: k % 4 }),
          ).join("\n") + "\n",
        sync_protocol_version: 0,
      }),
    ),
  );
  // warm-up
  await lightLoops(base, victim.api_key, performance.now() + 1000);
  const quiet = await lightLoops(base, victim.api_key, performance.now() + SECONDS * 1000);

  const until = performance.now() + SECONDS * 1000;
  let syncs = 0;
  let syncErrors = 0;
  const flood = Promise.all(
    flooders.map(async (a, i) => {
      for (let round = 0; performance.now() < until; round++) {
        const res = await fetch(`${base}/v1/bdh/sync`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${a.api_key}` },
          body: bodies[i][round % 2],
        }).catch(() => null);
        if (res) await res.arrayBuffer();
        if (res && res.ok) syncs++;
        else syncErrors++;
      }
    }),
  );
  await Bun.sleep(500); // let the flood build up
  const underFlood = await lightLoops(base, victim.api_key, until);
  await flood;
  return { quiet, flood: { ...underFlood, syncs, sync_errors: syncErrors } };
}

if (import.meta.main) console.log(JSON.stringify(await benchFairness(process.argv[2])));
