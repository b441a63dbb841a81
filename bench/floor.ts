// The physical floor for an endpoint: a bare Elysia route doing the same number
// of Postgres round-trips and Redis commands and moving the same bytes (request
// body in, response body out), nothing else. Run as its own process:
// `bun bench/floor.ts <port> <database url> <redis url> <pool size>`.
// /floor?pg=N&redis=M&bytes=B (any method) reads the request body, performs N
// `select $1` and M Redis GETs and answers a B-byte JSON body. The operations
// are issued all at once (the Redis ones leave as one auto-pipelined write):
// the cheapest way to do that many, whatever order the endpoint needs.
import { Elysia } from "elysia";
import postgres from "postgres";
import Redis from "ioredis";
import { installTracingChannelFix } from "../src/redis/tracing-channel-fix";

// The floor gets the same ioredis fix as the server (src/redis/tracing-channel-fix.ts).
installTracingChannelFix();

const [port, dbUrl, redisUrl, poolSize] = process.argv.slice(2);
const sql = postgres(dbUrl, { max: Number(poolSize ?? 10) });
const redis = new Redis(redisUrl, { enableAutoPipelining: true });

const bodies = new Map<number, string>();
/** A JSON body of exactly `bytes` bytes (at least the 13 of the envelope). */
function bodyOf(bytes: number): string {
  let body = bodies.get(bytes);
  if (body === undefined) {
    body = JSON.stringify({ pad: "x".repeat(Math.max(0, bytes - 10)) });
    bodies.set(bytes, body);
  }
  return body;
}

async function floor({ query, request }: { query: Record<string, string | undefined>; request: Request }) {
  await request.text();
  const pg = Number(query.pg ?? 0);
  const r = Number(query.redis ?? 0);
  await Promise.all([
    ...Array.from({ length: pg }, (_, i) => sql`select ${i}::int as n`),
    ...Array.from({ length: r }, () => redis.get("bench:floor:key")),
  ]);
  return new Response(bodyOf(Number(query.bytes ?? 0)), { headers: { "content-type": "application/json" } });
}

new Elysia()
  .get("/floor", floor)
  .post("/floor", floor, { parse: "none" })
  .listen({ port: Number(port), hostname: "127.0.0.1", reusePort: false });
console.log("ready");
