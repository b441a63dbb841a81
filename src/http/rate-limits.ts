// Per-tenant limits (issue 19, defect 4; docs/decisions.md "Hardening"):
//
// - Bulk work (a sync, an upload) of one project: at most
//   config.bulkPerProject run at once in this process, the next ones wait in
//   the project's own queue, and past BULK_QUEUE_PER_PROJECT waiting the next
//   gets 429 with Retry-After. With the bulk share of the pool
//   (src/db/gate.ts), one project's flood can neither take every connection
//   nor queue ahead of the other projects.
// - Requests per API key: a token bucket of config.rateLimitPerKey requests a
//   second (burst twice that), off by default. Both are per process: with
//   several instances the limits add up.
import type { Config } from "../config";
import { asBulk, Gate } from "../db/gate";
import { countRateLimitRefusal } from "../metrics/process";
import { AppError } from "./errors";

const tooMany = (detail: string, retryAfterSeconds: number, limit: string) => {
  countRateLimitRefusal(limit);
  return new AppError(429, detail, { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) });
};

/** Syncs and uploads of one project waiting for their turn, beyond which the next is refused. */
export const BULK_QUEUE_PER_PROJECT = 32;

const projectGates = new Map<string, Gate>();

/** Runs one project's bulk work in its per-project queue and the pool's bulk share. */
export async function runBulk<T>(config: Readonly<Config>, projectId: string, fn: () => Promise<T>): Promise<T> {
  if (config.bulkPerProject <= 0) return asBulk(fn);
  let gate = projectGates.get(projectId);
  if (!gate) {
    gate = new Gate(config.bulkPerProject);
    projectGates.set(projectId, gate);
  }
  if (gate.stats.waiting >= BULK_QUEUE_PER_PROJECT) {
    throw tooMany(`Too many syncs or uploads queued for this project (limit ${BULK_QUEUE_PER_PROJECT} waiting)`, 1, "bulk_per_project");
  }
  const g = gate;
  await new Promise<void>((resolve) => g.enter(resolve));
  try {
    return await asBulk(fn);
  } finally {
    g.leave();
    const { active, waiting } = g.stats;
    if (active === 0 && waiting === 0) projectGates.delete(projectId);
  }
}

interface Bucket {
  tokens: number;
  at: number;
}
const buckets = new Map<string, Bucket>();

/** Takes one request from the key's bucket, or throws 429 with the wait until the next token. */
export function takeKeyToken(config: Readonly<Config>, apiKeyId: string): void {
  const rate = config.rateLimitPerKey;
  if (rate <= 0) return;
  const burst = rate * 2;
  const now = performance.now();
  const b = buckets.get(apiKeyId) ?? { tokens: burst, at: now };
  b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
  b.at = now;
  if (b.tokens < 1) {
    buckets.set(apiKeyId, b);
    throw tooMany(`Rate limit exceeded for this API key (${rate} requests per second)`, (1 - b.tokens) / rate, "per_key");
  }
  b.tokens -= 1;
  // A crude bound on memory under a flood of distinct keys, as in the auth cache.
  if (buckets.size >= 100_000 && !buckets.has(apiKeyId)) buckets.clear();
  buckets.set(apiKeyId, b);
}
