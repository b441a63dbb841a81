// Server CPU of an MCP tool call against the REST call it wraps (issue 15:
// target ≤ +20%). Both run in this process through app.handle() on the same
// database and Redis, doing the same work (same rows, same service call), and
// are timed with process.cpuUsage() around each call, the two sides
// alternating call by call so drift (JIT, caches, the machine's other load)
// hits both alike.
// The CPU counted is everything in-process: routing, auth, JSON, the
// postgres.js and ioredis client work — not PostgreSQL's or Redis's own.
//
// Standalone: bun bench/mcp.ts --db postgres://… --redis redis://…  (a migrated database)
import { createApp } from "../src/app";
import { loadConfig } from "../src/config";

export interface McpPair {
  tool: string;
  rest: string;
  calls: number;
  rest_us_per_call: number;
  mcp_us_per_call: number;
  ratio: number;
}

const ROUNDS = Number(process.env.BENCH_MCP_ROUNDS ?? 6);
const PER_ROUND = Number(process.env.BENCH_MCP_CALLS ?? 250);

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

export async function benchMcp(databaseUrl: string, redisUrl: string): Promise<McpPair[]> {
  const config = loadConfig({
    BEADHUB_DATABASE_URL: databaseUrl,
    BEADHUB_REDIS_URL: redisUrl,
    BEADHUB_REDIS_PREFIX: `mcpbench${process.pid}:`,
    BEADHUB_LOG_LEVEL: "error",
    BEADHUB_INIT_RATE_LIMIT: "1000000",
  });
  const handle = await createApp({ config });
  const app = handle.app;
  const send = async (c: Call, token: string) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    const body = c.body === undefined ? undefined : JSON.stringify(c.body);
    if (body !== undefined) {
      // What an HTTP client sends: without Content-Length the app's deep-JSON
      // guard reads a clone of every body (src/http/json-depth.ts).
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    const res = await app.handle(new Request(`http://localhost${c.path}`, { method: c.method, headers, body }));
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${c.method} ${c.path}: ${res.status} ${text.slice(0, 200)}`);
    if (c.path === "/mcp" && text.includes('"isError":true')) throw new Error(`tool failed: ${text.slice(0, 200)}`);
  };
  try {
    const init = async (alias: string) => {
      const res = await app.handle(
        new Request("http://localhost/v1/init", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ project_slug: `mcp-bench-${process.pid}`, alias, human_name: "Bench", repo_origin: "git@github.com:acme/bench.git" }),
        }),
      );
      return (await res.json()) as { api_key: string; workspace_id: string };
    };
    const a = await init("bench-a");
    const b = await init("bench-b");
    await send(
      {
        method: "POST",
        path: "/v1/beads/upload",
        body: {
          repo: "github.com/acme/bench",
          branch: "main",
          issues: Array.from({ length: 50 }, (_, i) => ({ id: `mb-${i}`, title: `Issue ${i}`, status: "open", priority: i % 4, issue_type: "task" })),
        },
      },
      a.api_key,
    );
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

    const out: McpPair[] = [];
    for (const p of pairs) {
      // Warm both paths (JIT, caches, compiled schemas) before counting.
      for (let i = 0; i < 100; i++) {
        await send(p.restCall, a.api_key);
        await send(p.mcp, a.api_key);
      }
      // Call by call, alternating which side goes first: noise from the rest
      // of the machine lands on both sides alike.
      let restUs = 0;
      let mcpUs = 0;
      const timed = async (c: Call) => {
        const before = process.cpuUsage();
        await send(c, a.api_key);
        const d = process.cpuUsage(before);
        return d.user + d.system;
      };
      for (let i = 0; i < ROUNDS * PER_ROUND; i++) {
        if (i % 2 === 0) {
          restUs += await timed(p.restCall);
          mcpUs += await timed(p.mcp);
        } else {
          mcpUs += await timed(p.mcp);
          restUs += await timed(p.restCall);
        }
      }
      const calls = ROUNDS * PER_ROUND;
      out.push({
        tool: p.tool,
        rest: p.rest,
        calls,
        rest_us_per_call: restUs / calls,
        mcp_us_per_call: mcpUs / calls,
        ratio: mcpUs / restUs,
      });
    }
    return out;
  } finally {
    await handle.close();
  }
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    if (i < 0 || !process.argv[i + 1]) throw new Error(`usage: bun bench/mcp.ts --db <postgres url> --redis <redis url>`);
    return process.argv[i + 1];
  };
  const result = await benchMcp(arg("--db"), arg("--redis"));
  for (const r of result) {
    console.log(
      `${r.tool.padEnd(14)} mcp ${r.mcp_us_per_call.toFixed(0)} µs/call  rest ${r.rest_us_per_call.toFixed(0)} µs/call  ratio ${r.ratio.toFixed(2)} (${r.calls} calls each)`,
    );
  }
}
