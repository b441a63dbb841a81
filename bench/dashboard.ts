// Dashboard figures (issue 14), in `make bench`: the bundle's size; the time
// from navigation to a rendered status page listing 50 online workspaces (with
// 200 synced issues in the project), in full and embedded mode; and the
// latency from an API action to its appearance in an open dashboard. Needs
// Chromium (apt-get install -y chromium); without it the rows say so.
//
// Called by bench/run.ts; also runs alone (full mode from source, embedded
// mode from source): bun bench/dashboard.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Row } from "./run";
import { BUN, ROOT, createDatabase, dbUrl, dropDatabase, freePort, json, startRedis, waitFor } from "./lib";
import { browserAvailable, launchBrowser } from "../test/support/browser";

const WORKSPACES = 50;
const ISSUES = 200;
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 7);

const fmt = (n: number, d = 0) => n.toLocaleString("en", { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function post(base: string, path: string, key: string | null, body: unknown) {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return json(res);
}

/** A project with 50 online workspaces, 200 synced issues and a human; returns the human's key and one agent. */
async function seed(base: string) {
  const slug = `dash-${Date.now()}`;
  const agents: { api_key: string; workspace_id: string; alias: string }[] = [];
  for (let i = 0; i < WORKSPACES; i++) {
    const a = await post(base, "/v1/init", null, { project_slug: slug, alias: `dev-${i}`, human_name: "Bench", repo_origin: `git@github.com:bench/repo-${i % 5}.git` });
    await post(base, "/v1/agents/register", a.api_key, { workspace_id: a.workspace_id, alias: a.alias, program: "bench", branch: "main", role: "developer" });
    agents.push(a);
  }
  const issues = Array.from({ length: ISSUES }, (_, i) => ({
    id: `bench-${i}`,
    title: `Issue number ${i}`,
    status: i % 3 === 0 ? "in_progress" : "open",
    priority: i % 5,
    issue_type: "task",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  }));
  await post(base, "/v1/beads/upload", agents[0].api_key, { repo: "github.com/bench/repo-0", branch: "main", issues });
  const human = await post(base, "/v1/init", null, { project_slug: slug, alias: "boss", human_name: "Bench Human", agent_type: "human" });
  return { key: human.api_key as string, agent: agents[0] };
}

interface Figures {
  bundle: { bytes: number; gzip: number };
  navigate_ms: number[];
  action_ms: number[];
}

async function measure(base: string, withAction: boolean): Promise<Figures> {
  const page0 = await (await fetch(base + "/")).text();
  const assets = [...page0.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  let bytes = 0;
  let gzip = 0;
  for (const a of assets) {
    const body = new Uint8Array(await (await fetch(base + a)).arrayBuffer());
    bytes += body.byteLength;
    gzip += gzipSync(body).byteLength;
  }
  const { key, agent } = await seed(base);
  const browser = await launchBrowser();
  const navigate: number[] = [];
  const action: number[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // First load warms the HTTP cache like a returning visitor; it is not counted.
    // The first load signs in through the fragment (the key is then in localStorage).
    for (let i = 0; i <= RUNS; i++) {
      if (i > 0) await page.goto("about:blank");
      const t0 = performance.now();
      await page.goto(i === 0 ? `${base}/#api_key=${key}` : `${base}/`);
      // A function, not a string: the page's CSP forbids eval.
      await page.waitForFunction(
        (n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll("[data-test=online] tbody tr").length >= n,
        WORKSPACES,
        { timeout: 30_000 },
      );
      if (i > 0) navigate.push(performance.now() - t0);
    }
    if (withAction) {
      for (let i = 0; i < RUNS; i++) {
        const subject = `Need a decision ${i}-${Date.now()}`;
        const t0 = performance.now();
        await post(base, "/v1/escalations", agent.api_key, { workspace_id: agent.workspace_id, alias: agent.alias, subject, situation: "bench" });
        await page.getByText(subject).first().waitFor({ timeout: 30_000 });
        action.push(performance.now() - t0);
      }
    }
  } finally {
    await browser.close();
  }
  return { bundle: { bytes, gzip }, navigate_ms: navigate, action_ms: action };
}

/** Embedded mode: the same server command with no database URL and a fresh data directory. */
async function measureEmbedded(serverCmd: string[]): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), "beadhub-dash-bench-"));
  const port = await freePort();
  const proc = Bun.spawn([...serverCmd, "serve"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", BEADHUB_LOG_LEVEL: "warning", BEADHUB_HOST: "127.0.0.1", BEADHUB_PORT: String(port), BEADHUB_DATA_DIR: dir, BEADHUB_INIT_RATE_LIMIT: "1000000" },
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    await waitFor(`http://127.0.0.1:${port}/health`, 120_000, 100);
    return await measure(`http://127.0.0.1:${port}`, false);
  } finally {
    proc.kill("SIGTERM");
    await Promise.race([proc.exited, Bun.sleep(10_000)]);
    if (proc.exitCode === null) proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchDashboard(input: { baseUrl: string; serverCmd: string[] }): Promise<{ rows: Row[]; raw: unknown }> {
  const command = "bench/dashboard.ts benchDashboard";
  if (!browserAvailable()) {
    return { rows: [{ figure: "dashboard", value: "not measured: no Chromium", floor: "-", ratio: "-", target: "-", met: null, command }], raw: null };
  }
  const full = await measure(input.baseUrl, true);
  const embedded = await measureEmbedded(input.serverCmd);
  const kb = full.bundle.bytes / 1024;
  const rows: Row[] = [
    { figure: "dashboard bundle (minified JS+CSS)", value: `${fmt(kb, 1)} KB (${fmt(full.bundle.gzip / 1024, 1)} KB gzip)`, floor: "-", ratio: "-", target: "≤ 150 KB", met: kb <= 150, command },
    {
      figure: `navigation → status page with ${WORKSPACES} workspaces, ${ISSUES} issues (full mode), median of ${RUNS}`,
      value: `${fmt(median(full.navigate_ms))} ms`,
      floor: "-", ratio: "-", target: "-", met: null, command,
    },
    {
      figure: `navigation → status page with ${WORKSPACES} workspaces, ${ISSUES} issues (embedded mode), median of ${RUNS}`,
      value: `${fmt(median(embedded.navigate_ms))} ms`,
      floor: "-", ratio: "-", target: "-", met: null, command,
    },
    {
      figure: `API action (escalation created) → visible in an open dashboard, median of ${RUNS}`,
      value: `${fmt(median(full.action_ms))} ms (max ${fmt(Math.max(...full.action_ms))} ms)`,
      floor: "-", ratio: "-", target: "-", met: null, command,
    },
  ];
  return { rows, raw: { full, embedded } };
}

if (import.meta.main) {
  const redis = await startRedis();
  const database = `beadhub_dash_bench_${process.pid}`;
  await createDatabase(database);
  const port = await freePort();
  const cmd = [BUN, `${ROOT}src/main.ts`];
  const server = Bun.spawn([...cmd, "serve"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", BEADHUB_LOG_LEVEL: "warning", BEADHUB_HOST: "127.0.0.1", BEADHUB_PORT: String(port), BEADHUB_DATABASE_URL: dbUrl(database), BEADHUB_REDIS_URL: redis.url, BEADHUB_INIT_RATE_LIMIT: "1000000" },
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    await waitFor(`http://127.0.0.1:${port}/health`, 60_000, 50);
    const { rows } = await benchDashboard({ baseUrl: `http://127.0.0.1:${port}`, serverCmd: cmd });
    for (const r of rows) console.log(`${r.figure}: ${r.value}`);
  } finally {
    server.kill("SIGTERM");
    await server.exited;
    redis.stop();
    await dropDatabase(database).catch(() => {});
  }
}
