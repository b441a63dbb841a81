// Private Redis and PostgreSQL servers on spare ports, for tests that stop,
// kill and restart them (test/faults.test.ts): the shared services are never
// touched. PostgreSQL runs as the postgres user (initdb refuses root), so
// these need root, runuser and the PostgreSQL 15 binaries; available() says
// whether they are there.
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

const PG_BIN = "/usr/lib/postgresql/15/bin";

export function available(): { ok: boolean; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: "needs root (runuser -u postgres)" };
  for (const bin of [`${PG_BIN}/initdb`, `${PG_BIN}/pg_ctl`, "/usr/sbin/runuser"]) {
    if (!existsSync(bin)) return { ok: false, why: `${bin} missing` };
  }
  if (!Bun.which("redis-server")) return { ok: false, why: "redis-server missing" };
  return { ok: true, why: "" };
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
}

async function run(cmd: string[]): Promise<{ code: number; out: string }> {
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  const code = await p.exited;
  return { code, out: out + err };
}

export interface PrivateRedis {
  port: number;
  url: string;
  running(): boolean;
  /** Stop the server (the port goes dead; clients see their connections close). */
  stop(): Promise<void>;
  /** Start it again on the same port, empty. */
  start(): Promise<void>;
}

export async function startRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: Subprocess | null = null;
  const ping = async () => (await run(["redis-cli", "-p", String(port), "ping"])).out.trim() === "PONG";
  const r: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    running: () => proc !== null,
    async start() {
      proc = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdout: "ignore",
        stderr: "ignore",
      });
      await waitFor("redis", ping);
    },
    async stop() {
      if (!proc) return;
      proc.kill("SIGKILL");
      await proc.exited;
      proc = null;
    },
  };
  await r.start();
  return r;
}

export interface PrivatePostgres {
  port: number;
  dir: string;
  url(database?: string): string;
  stop(mode?: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  /** Stop for good and delete the data directory. */
  destroy(): Promise<void>;
}

export async function startPostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "beadhub-pg-"));
  chownSync(dir, uidOf("postgres"), gidOf("postgres"));
  const data = join(dir, "data");
  const asPg = (args: string[]) => run(["/usr/sbin/runuser", "-u", "postgres", "--", ...args]);
  const init = await asPg([`${PG_BIN}/initdb`, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
  if (init.code !== 0) throw new Error(`initdb failed: ${init.out}`);
  const pg: PrivatePostgres = {
    port,
    dir,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
      const res = await asPg([`${PG_BIN}/pg_ctl`, "-D", data, "-o", opts, "-l", join(dir, "log"), "-w", "-t", "30", "start"]);
      if (res.code !== 0) throw new Error(`pg_ctl start failed: ${res.out}`);
    },
    async stop(mode = "fast") {
      await asPg([`${PG_BIN}/pg_ctl`, "-D", data, "-m", mode, "-w", "-t", "30", "stop"]);
    },
    async destroy() {
      await pg.stop("immediate").catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}

function idOf(flag: "-u" | "-g", name: string): number {
  const res = Bun.spawnSync(["id", flag, name]);
  const id = Number(res.stdout.toString().trim());
  if (!Number.isInteger(id)) throw new Error(`no such user ${name}`);
  return id;
}
const uidOf = (name: string) => idOf("-u", name);
const gidOf = (name: string) => idOf("-g", name);

export interface ServerProcess {
  url: string;
  proc: Subprocess;
  /** Everything the process wrote (JSON log lines). */
  output(): string;
  exited: Promise<number>;
}

/** `bun src/main.ts serve` with the given environment; resolves once /health answers 200. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  let output = "";
  const proc = Bun.spawn([join(import.meta.dir, "../../node_modules/.bin/bun"), "src/main.ts", "serve", "--create-database"], {
    cwd: join(import.meta.dir, "../.."),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", BEADHUB_HOST: "127.0.0.1", BEADHUB_PORT: String(port), ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
  };
  void drain(proc.stdout as ReadableStream<Uint8Array>);
  void drain(proc.stderr as ReadableStream<Uint8Array>);
  const url = `http://127.0.0.1:${port}`;
  await waitFor("beadhub", async () => (await fetch(url + "/health")).status === 200, 30_000).catch((err) => {
    proc.kill("SIGKILL");
    throw new Error(`${(err as Error).message}\n${output}`);
  });
  return { url, proc, output: () => output, exited: proc.exited };
}

// ---------------------------------------------------------------------------
// Driving a server process: requests that never throw (status 0 = no answer),
// an SSE reader that tells a clean end from a broken one, and a phase-tagged
// loop of mixed requests.

export interface Answer {
  status: number; // 0 = no answer (connection refused, reset, timeout)
  body: any;
  text: string;
  error?: string;
}

export function clientFor(base: () => string) {
  async function call(method: string, path: string, opts: { token?: string; body?: unknown; timeoutMs?: number } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    try {
      const res = await fetch(base() + path, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 8000),
      });
      const text = await res.text();
      let body: any = null;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body, text };
    } catch (err) {
      return { status: 0, body: null, text: "", error: String(err) };
    }
  }

  /** An SSE reader that tells a clean end from a broken one. */
  function sse(path: string, token: string) {
    const frames: string[] = [];
    const state = { status: 0, ended: false, error: null as string | null };
    const abort = new AbortController();
    const done = (async () => {
      try {
        const res = await fetch(base() + path, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
        state.status = res.status;
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let i: number;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            frames.push(buf.slice(0, i));
            buf = buf.slice(i + 2);
          }
        }
        if (buf.trim() !== "") state.error = `stream ended inside a frame: ${JSON.stringify(buf.slice(0, 80))}`;
      } catch (err) {
        if (!abort.signal.aborted) state.error = String(err);
      }
      state.ended = true;
    })();
    return {
      frames,
      state,
      done,
      close: () => abort.abort(),
      /** Resolves true once a frame containing `text` arrived (within timeoutMs). */
      async sees(text: string, timeoutMs = 2000): Promise<boolean> {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          if (frames.some((f) => f.includes(text))) return true;
          await Bun.sleep(25);
        }
        return false;
      },
    };
  }

  return { call, sse };
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start <= timeoutMs) {
    if (await check().catch(() => false)) return Date.now() - start;
    await Bun.sleep(stepMs);
  }
  return null;
}

export interface Sample {
  at: number;
  phase: string;
  op: string;
  status: number;
  detail?: unknown;
  online?: boolean;
}

/** A client loop of mixed requests, tagged with the current phase, until stopped. */
export function clientLoop(ops: Record<string, (i: number) => Promise<Answer & { online?: boolean }>>) {
  const samples: Sample[] = [];
  let phase = "before";
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const at = phase;
      await Promise.all(
        Object.entries(ops).map(async ([op, fn]) => {
          const a = await fn(i);
          samples.push({ at: Date.now(), phase: at, op, status: a.status, detail: a.body?.detail ?? a.error, online: a.online });
        }),
      );
      await Bun.sleep(20);
    }
  })();
  return {
    samples,
    setPhase: (p: string) => (phase = p),
    async stop() {
      running = false;
      await loop;
      if (process.env.FAULTS_DEBUG) {
        const t0 = samples[0]?.at ?? 0;
        for (const s of samples) console.log(s.at - t0, s.phase, s.op, s.status, JSON.stringify(s.detail ?? "").slice(0, 80));
      }
    },
  };
}

export const inPhase = (samples: Sample[], phase: string, op?: string) => samples.filter((s) => s.phase === phase && (!op || s.op === op));
