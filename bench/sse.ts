// SSE fan-out bench (issue 7): 1,000 GET /v1/status/stream clients on the
// server under test, 1,000 events published at 100/s straight on Redis; the
// delivery latency (publish → byte received) p50/p99 and the share delivered,
// next to the floor: a bare Bun fan-out server with one Redis subscription,
// measured the same way in the same run. Clients and publisher run in their
// own process (bench/sse-load.ts), so they do not share the server's loop.
//
// Called by bench/run.ts; also runs alone against the source tree:
//   bun bench/sse.ts            (private Redis, fresh database, `bun src/main.ts serve`)
import type { Subprocess } from "bun";
import type { Row } from "./run";
import type { SseLoadResult, SseLoadSpec } from "./sse-load";
import { BUN, ROOT, createDatabase, dbUrl, dropDatabase, freePort, json, rssMb, startRedis, waitFor, cpuSeconds } from "./lib";

const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 1000);
const EVENTS = Number(process.env.BENCH_SSE_EVENTS ?? 1000);
const RATE = Number(process.env.BENCH_SSE_RATE ?? 100);
const WARMUP = 100;
const P99_TARGET_MS = 15;

export interface SseBenchInput {
  baseUrl: string;
  databaseUrl: string;
  redisUrl: string;
  serverPid: number;
  /** The server's BEADHUB_REDIS_PREFIX (bench/run.ts uses none). */
  redisPrefix?: string;
}

type Measured = SseLoadResult & { max_rss_mb: number; cpu_s: number };

/** Run the load process; samplePid's RSS and CPU are recorded over the run. */
async function runLoad(spec: SseLoadSpec, samplePid: number): Promise<Measured> {
  const cpu0 = cpuSeconds(samplePid);
  let maxRss = 0;
  const timer = setInterval(() => (maxRss = Math.max(maxRss, rssMb(samplePid))), 250);
  const proc = Bun.spawn([BUN, `${ROOT}bench/sse-load.ts`, JSON.stringify(spec)], {
    // Bun's fetch/connect default caps concurrent requests at 256.
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "65000" },
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  clearInterval(timer);
  const last = out.trim().split("\n").pop() ?? "";
  if (!last.startsWith("{")) throw new Error(`sse-load failed: ${out.slice(0, 500)}`);
  return { ...(JSON.parse(last) as SseLoadResult), max_rss_mb: maxRss, cpu_s: cpuSeconds(samplePid) - cpu0 };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const share = (r: SseLoadResult) => (r.expected === 0 ? 0 : (100 * r.delivered) / r.expected);
const describe = (r: Measured) =>
  `p50 ${fmt(r.p50_ms)} ms, p99 ${fmt(r.p99_ms)} ms, max ${fmt(r.max_ms)} ms, ` +
  `delivered ${fmt(share(r), 2)}% (${r.delivered}/${r.expected}), server CPU ${fmt(r.cpu_s, 2)} s`;

export async function benchSse(input: SseBenchInput): Promise<Row[]> {
  const { baseUrl, redisUrl, serverPid } = input;
  const prefix = input.redisPrefix ?? "";
  const agent = await json<{ api_key: string; workspace_id: string }>(
    await fetch(`${baseUrl}/v1/init`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project_slug: "bench-sse", alias: `sse-${Date.now()}`, repo_origin: "git@github.com:bench/sse.git" }),
    }),
  );
  const common = { clients: CLIENTS, events: EVENTS, rate: RATE, warmupEvents: WARMUP, redisUrl, workspaceId: agent.workspace_id, graceMs: 3000 };

  const server = await runLoad(
    {
      ...common,
      url: `${baseUrl}/v1/status/stream?workspace_id=${agent.workspace_id}`,
      token: agent.api_key,
      channel: `${prefix}events:${agent.workspace_id}`,
    },
    serverPid,
  );

  const floorPort = await freePort();
  const channel = `bench:sse-floor:${process.pid}`;
  const floor: Subprocess = Bun.spawn([BUN, `${ROOT}bench/sse-floor.ts`, String(floorPort), redisUrl, channel], {
    stdout: "pipe",
    stderr: "inherit",
  });
  let floorResult: Measured;
  try {
    // It prints "ready" once subscribed and listening (polling "/" would open a stream).
    const reader = (floor.stdout as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    reader.releaseLock();
    floorResult = await runLoad({ ...common, url: `http://127.0.0.1:${floorPort}/`, channel }, floor.pid);
  } finally {
    floor.kill();
    await floor.exited;
  }

  const delivered = share(server);
  const met = delivered === 100 && server.p99_ms <= P99_TARGET_MS;
  const command = `bench/sse-load.ts: ${CLIENTS} raw HTTP streams, ${EVENTS} events at ${RATE}/s on Redis (after ${WARMUP} warm-up events)`;
  return [
    {
      figure: `GET /v1/status/stream: ${CLIENTS} clients, ${EVENTS} events at ${RATE}/s`,
      value: describe(server),
      floor: describe(floorResult),
      // p99 over the floor's p99 (CPU seconds are in the values: less sensitive to a busy machine)
      ratio: fmt(server.p99_ms / floorResult.p99_ms, 2),
      target: `100% delivered, p99 ≤ ${P99_TARGET_MS} ms`,
      met,
      command,
    },
    {
      figure: `RSS while holding ${CLIENTS} status streams (max)`,
      value: `${fmt(server.max_rss_mb, 0)} MB`,
      floor: "-",
      ratio: "-",
      target: "-",
      met: null,
      command: "/proc/<pid>/status VmRSS sampled every 250 ms",
    },
  ];
}

if (import.meta.main) {
  const database = `beadhub_bench_sse_${process.pid}`;
  const redis = await startRedis();
  await createDatabase(database);
  const port = await freePort();
  const server = Bun.spawn([BUN, `${ROOT}src/main.ts`, "serve"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      BEADHUB_DATABASE_URL: dbUrl(database),
      BEADHUB_REDIS_URL: redis.url,
      BEADHUB_HOST: "127.0.0.1",
      BEADHUB_PORT: String(port),
      BEADHUB_LOG_LEVEL: "warning",
      BEADHUB_INIT_RATE_LIMIT: "1000000",
      BEADHUB_MAX_REQUESTS_PER_ADDRESS: "0", // all 1,000 streams come from 127.0.0.1 (see bench/run.ts)
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor(`${baseUrl}/health`);
    const rows = await benchSse({ baseUrl, databaseUrl: dbUrl(database), redisUrl: redis.url, serverPid: server.pid });
    for (const r of rows) console.log(`${r.met === null ? " " : r.met ? "✓" : "✗"} ${r.figure}: ${r.value} (floor ${r.floor}, ratio ${r.ratio}; target ${r.target})`);
  } finally {
    server.kill("SIGTERM");
    await Promise.race([server.exited, Bun.sleep(5000)]);
    redis.stop();
    await dropDatabase(database).catch(() => {});
  }
}
