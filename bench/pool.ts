// The driver-level view of the pool gate (src/db/gate.ts, postgres.js #747):
// 30 concurrent callers of `select 1` on a pool of 10, eight blocks of 40,000
// queries, once on a bare postgres.js pool and once through the gate. The bare
// pool slows down block after block; the gated one should not.
// Standalone: bun bench/pool.ts postgres://…
import postgres from "postgres";
import { gatePool } from "../src/db/gate";

export interface PoolFlatness {
  /** µs per query in each block. */
  raw_us: number[];
  gated_us: number[];
}

const CALLERS = 30;
const BLOCKS = 8;
const PER_BLOCK = 40_000;

async function blocks(run: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        for (let i = 0; i < PER_BLOCK / CALLERS; i++) await run();
      }),
    );
    out.push(Math.round(((performance.now() - t0) * 1000) / PER_BLOCK));
  }
  return out;
}

export async function benchPool(databaseUrl: string): Promise<PoolFlatness> {
  const raw = postgres(databaseUrl, { max: 10 });
  const rawUs = await blocks(() => raw`select 1`);
  await raw.end({ timeout: 5 });
  const inner = postgres(databaseUrl, { max: 10 });
  const gated = gatePool(inner, 10);
  const gatedUs = await blocks(() => gated`select 1`);
  await inner.end({ timeout: 5 });
  return { raw_us: rawUs, gated_us: gatedUs };
}

if (import.meta.main) console.log(JSON.stringify(await benchPool(process.argv[2])));
