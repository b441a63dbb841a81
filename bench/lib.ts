// Shared plumbing for `make bench`: child processes, free ports, a private
// Redis, fresh databases, polling.
import type { Subprocess } from "bun";
import postgres from "postgres";

export const ROOT = new URL("..", import.meta.url).pathname;
export const BUN = process.execPath;
export const ADMIN_URL = process.env.BEADHUB_BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = "/" + name;
  return u.toString();
}

export async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

export async function createDatabase(name: string): Promise<void> {
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await sql`drop database if exists ${sql(name)} with (force)`;
  await sql`create database ${sql(name)}`;
  await sql.end();
}

export async function dropDatabase(name: string): Promise<void> {
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await sql`drop database if exists ${sql(name)} with (force)`;
  await sql.end();
}

export async function waitFor(url: string, timeoutMs = 15000, intervalMs = 5): Promise<number> {
  const start = performance.now();
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return performance.now() - start;
    } catch {
      /* not up yet */
    }
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${url}`);
    await Bun.sleep(intervalMs);
  }
}

export interface PrivateRedis {
  url: string;
  port: number;
  proc: Subprocess;
  stop(): void;
}

/** A Redis of our own, so command counts and load are not mixed with anything else. */
export async function startRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const proc = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `redis://127.0.0.1:${port}/0`;
  for (let i = 0; i < 200; i++) {
    try {
      const c = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      c.end();
      break;
    } catch {
      await Bun.sleep(25);
    }
  }
  return { url, port, proc, stop: () => proc.kill() };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = require("node:fs").readFileSync(`/proc/${pid}/stat`, "utf8") as string;
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds a process has used so far, to the nanosecond: the sum of its
 * threads' scheduler run time (/proc/<pid>/task/<tid>/schedstat), where
 * /proc/<pid>/stat counts in 10 ms ticks. For short measuring blocks.
 */
export function cpuSecondsPrecise(pid: number): number {
  const fs = require("node:fs") as typeof import("node:fs");
  let ns = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        /* the thread ended meanwhile: its time is gone from both readings' view */
      }
    }
  } catch {
    return NaN;
  }
  return ns / 1e9;
}

export function rssMb(pid: number): number {
  try {
    const status = require("node:fs").readFileSync(`/proc/${pid}/status`, "utf8") as string;
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

export async function json<T = any>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
