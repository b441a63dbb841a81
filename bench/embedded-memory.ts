// Where zero-config RSS goes (issue 16): RSS and the JS heap after each step of
// an embedded start, in one process. `bun bench/embedded-memory.ts` prints a
// table; the PostgreSQL settings come from src/embedded/tuning.ts unless
// BENCH_PG_DEFAULTS=1 (PGlite's own defaults, for comparison).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { heapStats } from "bun:jsc";
import { createApp } from "../src/app";
import { loadConfig } from "../src/config";
import { silentLogger } from "../src/log";

const mb = (n: number) => Math.round(n / 1024 / 1024);
const steps: { step: string; rss_mb: number; js_heap_mb: number }[] = [];
function mark(step: string) {
  Bun.gc(true);
  steps.push({ step, rss_mb: mb(process.memoryUsage().rss), js_heap_mb: mb(heapStats().heapSize) });
}

mark("bun + modules loaded");
const home = mkdtempSync(join(tmpdir(), "bh-mem-"));
try {
  const config = loadConfig({ HOME: home, BEADHUB_DATA_DIR: join(home, "data") });
  let app = await createApp({ config, log: silentLogger });
  mark("first start (new data dir) done");
  await app.close();
  mark("closed");
  app = await createApp({ config, log: silentLogger });
  mark("warm start done");
  const req = (path: string, init?: RequestInit) => app.app.handle(new Request("http://localhost" + path, init));
  const init = await (await req("/v1/init", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ project_slug: "m", alias: "a", human_name: "A", repo_origin: "git@github.com:a/m.git" }) })).json() as { api_key: string };
  for (let i = 0; i < 200; i++) await req("/v1/status", { headers: { authorization: `Bearer ${init.api_key}` } });
  mark("after 200 /v1/status");
  await Bun.sleep(3000);
  mark("idle 3 s later");
  await app.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
console.table(steps);
