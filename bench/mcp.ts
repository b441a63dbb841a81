// Server CPU of an MCP tool call against the REST call it wraps (issue 15:
// target ≤ +20%). Both go over HTTP to the same running server (the compiled
// binary in `make bench`), on the same rows, through the same service call;
// the figure is the server process's CPU (all its threads' run time from
// /proc, to the nanosecond) per request. Blocks of one
// kind alternate with blocks of the other, so drift (JIT, caches, the
// machine's other load) lands on both sides alike, and the ratio is the median
// over block pairs, so a rare burst in one block does not decide it.
// The load generator is this process: its own CPU (building requests, reading
// answers) is not counted.
//
// Standalone: bun bench/mcp.ts --db postgres://… --redis redis://…  (a migrated
// database; starts `bun src/main.ts serve` on a free port)
import { BUN, ROOT, cpuSecondsPrecise, freePort, waitFor } from "./lib";

export interface McpPair {
  tool: string;
  rest: string;
  requests: number;
  rest_us_per_call: number;
  mcp_us_per_call: number;
  ratio: number;
  /** mcp/rest per block pair, in order. */
  block_ratios: number[];
}

const BLOCK_PAIRS = Number(process.env.BENCH_MCP_BLOCKS ?? 21);
const BLOCK_SECONDS = Number(process.env.BENCH_MCP_BLOCK_SECONDS ?? 0.3);
const CONNECTIONS = 4;

/** How the figures are taken, for the results table. */
export const MCP_METHOD = `server /proc CPU per request, ${BLOCK_SECONDS} s blocks alternating, median of ${BLOCK_PAIRS} block pairs, ${CONNECTIONS} connections`;

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function benchMcp(opts: { baseUrl: string; serverPid: number }): Promise<McpPair[]> {
  const { baseUrl, serverPid } = opts;
  const init = (c: Call, token: string | null): RequestInit => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (c.body !== undefined) headers["content-type"] = "application/json";
    return { method: c.method, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body) };
  };
  const send = async (c: Call, token: string | null) => {
    const res = await fetch(`${baseUrl}${c.path}`, init(c, token));
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${c.method} ${c.path}: ${res.status} ${text.slice(0, 200)}`);
    if (c.path === "/mcp" && text.includes('"isError":true')) throw new Error(`tool failed: ${text.slice(0, 200)}`);
    return text;
  };

  const slug = `mcp-bench-${process.pid}-${Date.now()}`;
  const join = async (alias: string) =>
    JSON.parse(
      await send(
        { method: "POST", path: "/v1/init", body: { project_slug: slug, alias, human_name: "Bench", repo_origin: "git@github.com:acme/bench.git" } },
        null,
      ),
    ) as { api_key: string; workspace_id: string };
  const a = await join("bench-a");
  const b = await join("bench-b");
  const issues = Array.from({ length: 50 }, (_, i) => ({ id: `mb-${i}`, title: `Issue ${i}`, status: "open", priority: i % 4, issue_type: "task" }));
  await send({ method: "POST", path: "/v1/beads/upload", body: { repo: "github.com/acme/bench", branch: "main", issues } }, a.api_key);
  for (let i = 0; i < 20; i++) {
    await send({ method: "POST", path: "/v1/messages", body: { to_alias: "bench-a", subject: `s${i}`, body: "hello" } }, b.api_key);
  }
  await send({ method: "POST", path: "/v1/reservations", body: { resource_key: "src/bench.ts", ttl_seconds: 3600 } }, a.api_key);

  const tool = (name: string, args: Record<string, unknown>): Call => ({
    method: "POST",
    path: "/mcp",
    body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } },
  });
  const pairs: { tool: string; rest: string; mcp: Call; restCall: Call }[] = [
    { tool: "get_issue", rest: "GET /v1/beads/issues/mb-7", mcp: tool("get_issue", { bead_id: "mb-7" }), restCall: { method: "GET", path: "/v1/beads/issues/mb-7" } },
    { tool: "fetch_inbox", rest: "GET /v1/messages/inbox?limit=20", mcp: tool("fetch_inbox", { unread_only: false, limit: 20 }), restCall: { method: "GET", path: "/v1/messages/inbox?limit=20" } },
    { tool: "ready_issues", rest: "GET /v1/beads/ready", mcp: tool("ready_issues", { limit: 10 }), restCall: { method: "GET", path: `/v1/beads/ready?workspace_id=${a.workspace_id}&limit=10` } },
    { tool: "lock_list", rest: "GET /v1/reservations", mcp: tool("lock_list", {}), restCall: { method: "GET", path: "/v1/reservations" } },
    { tool: "claim_issue", rest: "POST /v1/claims", mcp: tool("claim_issue", { bead_id: "mb-3" }), restCall: { method: "POST", path: "/v1/claims", body: { bead_id: "mb-3" } } },
    { tool: "status", rest: "GET /v1/status", mcp: tool("status", {}), restCall: { method: "GET", path: "/v1/status" } },
  ];

  /** CONNECTIONS closed loops for `seconds`: server CPU µs per request, and the count. */
  const block = async (c: Call, seconds: number) => {
    const req = init(c, a.api_key);
    const url = `${baseUrl}${c.path}`;
    const end = performance.now() + seconds * 1000;
    let n = 0;
    const cpu0 = cpuSecondsPrecise(serverPid);
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end) {
          const res = await fetch(url, req);
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${c.method} ${c.path}: ${res.status}`);
          n++;
        }
      }),
    );
    return { us: ((cpuSecondsPrecise(serverPid) - cpu0) * 1e6) / n, n };
  };

  const out: McpPair[] = [];
  for (const p of pairs) {
    // Once through each (a failing tool throws here, not in the timing), then
    // warm both paths before counting.
    await send(p.restCall, a.api_key);
    await send(p.mcp, a.api_key);
    await block(p.restCall, 0.5);
    await block(p.mcp, 0.5);
    const ratios: number[] = [];
    let restUs = 0;
    let mcpUs = 0;
    let requests = 0;
    for (let i = 0; i < BLOCK_PAIRS; i++) {
      // Alternate which side goes first.
      const first = await block(i % 2 ? p.mcp : p.restCall, BLOCK_SECONDS);
      const second = await block(i % 2 ? p.restCall : p.mcp, BLOCK_SECONDS);
      const [mcp, rest] = i % 2 ? [first, second] : [second, first];
      ratios.push(mcp.us / rest.us);
      restUs += rest.us;
      mcpUs += mcp.us;
      requests += mcp.n + rest.n;
    }
    out.push({
      tool: p.tool,
      rest: p.rest,
      requests,
      rest_us_per_call: restUs / BLOCK_PAIRS,
      mcp_us_per_call: mcpUs / BLOCK_PAIRS,
      ratio: median(ratios),
      block_ratios: ratios.map((r) => Math.round(r * 100) / 100),
    });
  }
  return out;
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    if (i < 0 || !process.argv[i + 1]) throw new Error(`usage: bun bench/mcp.ts --db <postgres url> --redis <redis url>`);
    return process.argv[i + 1];
  };
  const port = await freePort();
  const server = Bun.spawn([BUN, `${ROOT}src/main.ts`, "serve"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      BEADHUB_DATABASE_URL: arg("--db"),
      BEADHUB_REDIS_URL: arg("--redis"),
      BEADHUB_HOST: "127.0.0.1",
      BEADHUB_PORT: String(port),
      BEADHUB_LOG_LEVEL: "warning",
      BEADHUB_INIT_RATE_LIMIT: "1000000",
      BEADHUB_MAX_REQUESTS_PER_ADDRESS: "0",
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    await waitFor(`http://127.0.0.1:${port}/health`);
    for (const r of await benchMcp({ baseUrl: `http://127.0.0.1:${port}`, serverPid: server.pid })) {
      console.log(
        `${r.tool.padEnd(14)} mcp ${r.mcp_us_per_call.toFixed(0)} µs/call  rest ${r.rest_us_per_call.toFixed(0)} µs/call  ratio ${r.ratio.toFixed(2)}  blocks ${r.block_ratios.join(" ")}`,
      );
    }
  } finally {
    server.kill();
  }
}
