// The physical floor for an endpoint: a bare Elysia route doing the same number
// of Postgres round-trips and Redis commands, nothing else. Run as its own
// process: `bun bench/floor.ts <port> <database url> <redis url>`.
// GET /floor?pg=N&redis=M performs N `select $1` and M Redis GETs in sequence.
import { Elysia } from "elysia";
import postgres from "postgres";
import Redis from "ioredis";

const [port, dbUrl, redisUrl, poolSize] = process.argv.slice(2);
const sql = postgres(dbUrl, { max: Number(poolSize ?? 10) });
const redis = new Redis(redisUrl, { enableAutoPipelining: true });

new Elysia()
  .get("/floor", async ({ query }) => {
    const pg = Number(query.pg ?? 0);
    const r = Number(query.redis ?? 0);
    for (let i = 0; i < pg; i++) await sql`select ${i}::int as n`;
    for (let i = 0; i < r; i++) await redis.get("bench:floor:key");
    return { ok: true, pg, redis: r };
  })
  .listen({ port: Number(port), hostname: "127.0.0.1", reusePort: false });
console.log("ready");
