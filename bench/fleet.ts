// "Agent fleet" capacity (issue 16): N simulated agents, each running bdh's
// loop once a second — command pre-flight (POST /v1/bdh/command), an
// incremental sync of three changed issues (POST /v1/bdh/sync), a workspace
// heartbeat and an inbox check — plus two dashboards polling /v1/status every
// second. N grows step by step; a step holds when p99 ≤ 100 ms with no errors
// (a failing step is run once more: one noisy step is common on a shared
// machine); the figure is the largest N that held. The load generator shares the 2 cores
// with the server (and with whatever else runs): figures are measured under load.
// Standalone: `bun bench/fleet.ts embedded|full` (BENCH_FROM_SOURCE=1 for `bun src/main.ts`).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, ROOT, createDatabase, dbUrl, dropDatabase, freePort, rssMb, startRedis, waitFor } from "./lib";

const STEPS = (process.env.BENCH_FLEET_STEPS ?? "5,10,15,20,30,40,50,60,80,100,120,150,200,300").split(",").map(Number);
const STEP_SECONDS = Number(process.env.BENCH_FLEET_SECONDS ?? 8);
const P99_MS = 100;
const ORIGIN = "git@github.com:bench/fleet.git";

export interface FleetStep {
  agents: number;
  requests: number;
  errors: number;
  p50_ms: number;
  p99_ms: number;
  held: boolean;
  rss_mb: number;
}

export interface FleetResult {
  mode: "embedded" | "full";
  capacity: number;
  steps: FleetStep[];
}

interface Agent {
  api_key: string;
  workspace_id: string;
  repo_id: string;
  alias: string;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : NaN);

async function runFleet(url: string, pid: number, mode: FleetResult["mode"]): Promise<FleetResult> {
  const post = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const agents: Agent[] = [];
  const addAgents = async (n: number) => {
    while (agents.length < n) {
      const alias = `agent-${agents.length}`;
      const a = await post("/v1/init", { project_slug: "fleet", alias, human_name: "Bench", repo_origin: ORIGIN });
      agents.push({ api_key: a.api_key, workspace_id: a.workspace_id, repo_id: a.repo_id, alias });
    }
  };
  await addAgents(1);
  const first = agents[0]!;
  const seed = Array.from({ length: 200 }, (_, k) => JSON.stringify({ id: `fl-${k}`, title: `Fleet issue ${k}`, status: "open", priority: k % 4, issue_type: "task" })).join("\n");
  await post("/v1/bdh/sync", { workspace_id: first.workspace_id, repo_id: first.repo_id, alias: first.alias, human_name: "Bench", repo_origin: ORIGIN, issues_jsonl: seed, sync_mode: "full", sync_protocol_version: 0 }, first.api_key);

  const steps: FleetStep[] = [];
  let capacity = 0;
  const tries = new Map<number, number>();
  for (let s = 0; s < STEPS.length; s++) {
    const n = STEPS[s]!;
    await addAgents(n);
    const latencies: number[] = [];
    let errors = 0;
    let stop = false;
    let measuring = false;
    const timed = async (path: string, init: RequestInit) => {
      const t0 = performance.now();
      try {
        const res = await fetch(url + path, init);
        await res.arrayBuffer();
        if (!res.ok) throw new Error(String(res.status));
        if (measuring) latencies.push(performance.now() - t0);
      } catch {
        if (measuring) errors++;
      }
    };
    const loop = async (a: Agent, i: number) => {
      const headers = { "content-type": "application/json", authorization: `Bearer ${a.api_key}` };
      const base = { workspace_id: a.workspace_id, repo_id: a.repo_id, alias: a.alias, human_name: "Bench", repo_origin: ORIGIN };
      await Bun.sleep(Math.random() * 1000); // spread the agents over the second
      for (let round = 0; !stop; round++) {
        const started = performance.now();
        const bead = `fl-${(i * 3) % 200}`;
        const status = round % 2 ? "open" : "in_progress";
        await timed("/v1/bdh/command", { method: "POST", headers, body: JSON.stringify({ ...base, command_line: `update ${bead} --status ${status}` }) });
        const changed = [0, 1, 2].map((k) => JSON.stringify({ id: `fl-${(i * 3 + k) % 200}`, title: `Fleet issue ${(i * 3 + k) % 200}`, status, priority: 1, issue_type: "task" })).join("\n");
        await timed("/v1/bdh/sync", { method: "POST", headers, body: JSON.stringify({ ...base, changed_issues: changed, sync_mode: "incremental", sync_protocol_version: 0 }) });
        await timed("/v1/workspaces/heartbeat", { method: "POST", headers, body: JSON.stringify({ workspace_id: a.workspace_id, alias: a.alias, repo_origin: ORIGIN, current_branch: "main" }) });
        await timed("/v1/messages/inbox?unread_only=true", { headers });
        await Bun.sleep(Math.max(0, 1000 - (performance.now() - started)));
      }
    };
    const dashboard = async () => {
      const headers = { authorization: `Bearer ${first.api_key}` };
      while (!stop) {
        const started = performance.now();
        await timed("/v1/status", { headers });
        await Bun.sleep(Math.max(0, 1000 - (performance.now() - started)));
      }
    };
    const running = [...agents.slice(0, n).map((a, i) => loop(a, i)), dashboard(), dashboard()];
    await Bun.sleep(2000); // warm-up, not measured
    measuring = true;
    await Bun.sleep(STEP_SECONDS * 1000);
    measuring = false;
    const rss = rssMb(pid);
    stop = true;
    await Promise.all(running);
    const sorted = latencies.sort((x, y) => x - y);
    const step: FleetStep = { agents: n, requests: sorted.length + errors, errors, p50_ms: Math.round(pct(sorted, 50) * 10) / 10, p99_ms: Math.round(pct(sorted, 99) * 10) / 10, held: false, rss_mb: rss };
    step.held = errors === 0 && step.p99_ms <= P99_MS;
    steps.push(step);
    console.error(`  fleet ${mode}: ${n} agents → p99 ${step.p99_ms} ms, ${errors} errors${step.held ? "" : " (does not hold)"}`);
    if (!step.held) {
      // On a shared machine one noisy step is common: a failing step gets one retry.
      tries.set(n, (tries.get(n) ?? 0) + 1);
      if (tries.get(n)! < 2) {
        s--;
        continue;
      }
      break;
    }
    capacity = n;
  }
  return { mode, capacity, steps };
}

/** Zero-config server on a fresh data dir, then full mode (fresh database, private Redis), one after the other. */
export async function benchFleet(cmd: string[], modes: FleetResult["mode"][] = ["embedded", "full"]): Promise<FleetResult[]> {
  const results: FleetResult[] = [];
  for (const mode of modes) {
    const home = mkdtempSync(join(tmpdir(), "bh-bench-fleet-"));
    const database = `beadhub_bench_fleet_${process.pid}`;
    const redis = mode === "full" ? await startRedis() : null;
    const port = await freePort();
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: home, BEADHUB_PORT: String(port), BEADHUB_HOST: "127.0.0.1", BEADHUB_LOG_LEVEL: "warning", BEADHUB_INIT_RATE_LIMIT: "1000000", BEADHUB_DATA_DIR: join(home, "data") };
    if (mode === "full") {
      await createDatabase(database);
      env.BEADHUB_DATABASE_URL = dbUrl(database);
      env.BEADHUB_REDIS_URL = redis!.url;
      const m = Bun.spawn([...cmd, "migrate"], { env, stdout: "ignore", stderr: "inherit" });
      await m.exited;
    }
    const server = Bun.spawn([...cmd, "serve"], { env, stdout: "ignore", stderr: "inherit" });
    try {
      await waitFor(`http://127.0.0.1:${port}/health`, 60_000, 20);
      results.push(await runFleet(`http://127.0.0.1:${port}`, server.pid, mode));
    } finally {
      server.kill("SIGTERM");
      await server.exited;
      redis?.stop();
      if (mode === "full") await dropDatabase(database).catch(() => {});
      rmSync(home, { recursive: true, force: true });
    }
  }
  return results;
}

if (import.meta.main) {
  const cmd = process.env.BENCH_FROM_SOURCE ? [BUN, `${ROOT}src/main.ts`] : [`${ROOT}dist/beadhub`];
  const modes = (process.argv[2] ? [process.argv[2]] : ["embedded", "full"]) as FleetResult["mode"][];
  console.log(JSON.stringify(await benchFleet(cmd, modes), null, 1));
}
