// Faults (issue 9 §5): a real server process (`bun src/main.ts serve`) on a
// private PostgreSQL cluster and a private Redis, both on spare ports, so the
// shared services are never stopped. In order:
//   1. Redis killed for 10 s while a client loop of mixed requests runs:
//      Postgres-backed routes keep answering 2xx, presence reads as offline,
//      init answers 503 (the rate limiter fails closed), /health 503, streams
//      end cleanly or keep working; within 2 s of Redis returning everything
//      works again by itself.
//   2. PostgreSQL stopped for 3 s and started again: 503 with a JSON detail
//      during the outage, success afterwards, same process.
//   3. SIGTERM under load: every request started before the signal gets a
//      complete answer, streams end cleanly, the process exits 0.
import { afterAll, describe, expect, test } from "bun:test";
import {
  available,
  clientFor,
  clientLoop,
  inPhase,
  startPostgres,
  startRedis,
  startServerProcess,
  until,
  type Answer,
  type PrivatePostgres,
  type PrivateRedis,
  type ServerProcess,
} from "./support/services";

const can = available();
if (!can.ok) console.warn(`faults.test.ts skipped: ${can.why}`);
const it = can.ok ? test : test.skip;

let pg: PrivatePostgres | null = null;
let redis: PrivateRedis | null = null;
let server: ServerProcess | null = null;
if (can.ok) {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  server = await startServerProcess(serverEnv());
}

function serverEnv(): Record<string, string> {
  return {
    BEADHUB_DATABASE_URL: pg!.url("beadhub"),
    BEADHUB_REDIS_URL: redis!.url,
    BEADHUB_LOG_LEVEL: process.env.FAULTS_DEBUG ? "info" : "warning",
    BEADHUB_INIT_RATE_LIMIT: "1000000",
    BEADHUB_SHUTDOWN_GRACE_SECONDS: "10",
  };
}
afterAll(async () => {
  if (server && server.proc.exitCode === null) server.proc.kill("SIGKILL");
  await redis?.stop();
  if (process.env.FAULTS_DEBUG && pg) await Bun.write("/tmp/faults-pg.log", Bun.file(`${pg.dir}/log`));
  await pg?.destroy();
});

const { call, sse } = clientFor(() => server!.url);

interface Agent {
  api_key: string;
  agent_id: string;
  workspace_id: string;
  repo_id: string;
  alias: string;
  project_id: string;
}

const ORIGIN = "git@github.com:faults/app.git";
async function init(alias: string): Promise<Agent> {
  const res = await call("POST", "/v1/init", { body: { project_slug: "faults", alias, repo_origin: ORIGIN, human_name: "Fault" } });
  if (res.status !== 200) throw new Error(`init ${alias}: ${res.status} ${res.text}`);
  return res.body;
}

const syncOf = (a: Agent, issues: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  workspace_id: a.workspace_id,
  repo_id: a.repo_id,
  alias: a.alias,
  human_name: "Fault",
  repo_origin: ORIGIN,
  sync_mode: "incremental",
  changed_issues: issues.map((i) => JSON.stringify(i)).join("\n"),
  sync_protocol_version: 0,
  ...extra,
});


describe("faults (private Postgres and Redis, real server process)", () => {
  let alice: Agent;
  let bob: Agent;

  it("setup: agents, issues, presence", async () => {
    alice = await init("alice");
    bob = await init("bob");
    expect((await call("POST", "/v1/bdh/sync", { token: alice.api_key, body: syncOf(alice, [{ id: "f-1", title: "one", status: "open" }]) })).status).toBe(200);
    expect((await call("POST", "/v1/agents/heartbeat", { token: alice.api_key })).status).toBe(200);
    const agents = await call("GET", "/v1/agents", { token: bob.api_key });
    expect(agents.body.agents.find((a: any) => a.alias === "alice").online).toBe(true);
  });

  it("Redis down for 10 s: Postgres routes keep working, presence offline, init 503, then recovery within 2 s", async () => {
    // Streams open before the outage.
    const session = await call("POST", "/v1/chat/sessions", { token: alice.api_key, body: { to_aliases: ["bob"], message: "before" } });
    expect(session.status).toBe(200);
    const sessionId = session.body.session_id;
    const deadline = new Date(Date.now() + 120_000).toISOString();
    const statusStream = sse("/v1/status/stream", alice.api_key);
    const chatStream = sse(`/v1/chat/sessions/${sessionId}/stream?deadline=${encodeURIComponent(deadline)}&after=${encodeURIComponent(new Date().toISOString())}`, bob.api_key);
    await Bun.sleep(300);
    const escalate = (subject: string) =>
      call("POST", "/v1/escalations", { token: alice.api_key, body: { workspace_id: alice.workspace_id, alias: "alice", subject, situation: "s" } });
    expect((await escalate("esc-before")).status).toBe(200);
    expect(await statusStream.sees("esc-before")).toBe(true);
    expect((await call("POST", `/v1/chat/sessions/${sessionId}/messages`, { token: alice.api_key, body: { body: "chat-before" } })).status).toBe(200);
    expect(await chatStream.sees("chat-before")).toBe(true);

    let n = 0;
    const loop = clientLoop({
      mail: () => call("POST", "/v1/messages", { token: alice.api_key, body: { to_alias: "bob", subject: "s", body: `m${++n}` } }),
      inbox: () => call("GET", "/v1/messages/inbox?limit=5", { token: bob.api_key }),
      sync: (i) => call("POST", "/v1/bdh/sync", { token: alice.api_key, body: syncOf(alice, [{ id: "f-1", title: `t${i}`, status: "open" }]) }),
      lock: async (i) => {
        const got = await call("POST", "/v1/reservations", { token: bob.api_key, body: { resource_key: `lock-${i}`, ttl_seconds: 60 } });
        if (got.status !== 200) return got;
        return call("POST", "/v1/reservations/release", { token: bob.api_key, body: { resource_key: `lock-${i}` } });
      },
      agents: async () => {
        const a = await call("GET", "/v1/agents", { token: bob.api_key });
        return { ...a, online: a.body?.agents?.find((x: any) => x.alias === "alice")?.online };
      },
      status: () => call("GET", "/v1/status", { token: alice.api_key }),
      init: (i) => call("POST", "/v1/init", { body: { project_slug: "faults", alias: `loop-${i}`, repo_origin: ORIGIN } }),
      health: () => call("GET", "/health"),
    });
    await Bun.sleep(800);

    loop.setPhase("stopping"); // answers in flight while the server goes away are judged by the global checks only
    await redis!.stop();
    loop.setPhase("down");
    await Bun.sleep(10_000);
    loop.setPhase("recovering");
    await redis!.start(); // same port, empty
    const healthy = await until(async () => (await call("GET", "/health")).status === 200, 5000);
    // Presence works again: a heartbeat is visible to the others.
    const present = await until(async () => {
      await call("POST", "/v1/agents/heartbeat", { token: alice.api_key });
      const a = await call("GET", "/v1/agents", { token: bob.api_key });
      return a.body?.agents?.find((x: any) => x.alias === "alice")?.online === true;
    }, 5000);
    loop.setPhase("after");
    await Bun.sleep(1000);
    await loop.stop();

    expect(healthy).not.toBeNull();
    expect(healthy!).toBeLessThanOrEqual(2000);
    expect(present).not.toBeNull();
    expect(present!).toBeLessThanOrEqual(2000);

    const down = inPhase(loop.samples, "down");
    expect(down.length).toBeGreaterThan(50);
    for (const op of ["mail", "inbox", "sync", "lock", "agents", "status"]) {
      const bad = inPhase(loop.samples, "down", op).filter((s) => s.status !== 200);
      expect([op, bad.slice(0, 3)]).toEqual([op, []]);
    }
    // Presence reads as offline (its store is gone), never as an error.
    expect(inPhase(loop.samples, "down", "agents").filter((s) => s.online !== false)).toEqual([]);
    // The init rate limiter fails closed, with a JSON detail; /health says so.
    for (const s of inPhase(loop.samples, "down", "init")) expect([s.status, typeof s.detail]).toEqual([503, "string"]);
    for (const s of inPhase(loop.samples, "down", "health")) expect(s.status).toBe(503);
    // Nothing anywhere answered 5xx other than those two, or failed to answer.
    expect(loop.samples.filter((s) => s.status === 0 || (s.status >= 500 && s.op !== "init" && s.op !== "health"))).toEqual([]);
    // After recovery every operation succeeds again.
    for (const s of inPhase(loop.samples, "after")) expect([s.op, s.status]).toEqual([s.op, 200]);

    // Streams: ended cleanly or kept working; either way events flow again within 2 s.
    for (const s of [statusStream, chatStream]) expect(s.state.error).toBeNull();
    const statusAfter = statusStream.state.ended ? sse("/v1/status/stream", alice.api_key) : statusStream;
    const chatAfter = chatStream.state.ended
      ? sse(`/v1/chat/sessions/${sessionId}/stream?deadline=${encodeURIComponent(deadline)}&after=${encodeURIComponent(new Date().toISOString())}`, bob.api_key)
      : chatStream;
    console.log(`after the Redis outage: status stream ${statusStream.state.ended ? "had ended (reconnected)" : "kept working"}, chat stream ${chatStream.state.ended ? "had ended (reconnected)" : "kept working"}`);
    if (statusAfter !== statusStream || chatAfter !== chatStream) await Bun.sleep(300);
    expect((await escalate("esc-after")).status).toBe(200);
    expect(await statusAfter.sees("esc-after", 2000)).toBe(true);
    expect((await call("POST", `/v1/chat/sessions/${sessionId}/messages`, { token: alice.api_key, body: { body: "chat-after" } })).status).toBe(200);
    expect(await chatAfter.sees("chat-after", 2000)).toBe(true);
    for (const s of new Set([statusStream, chatStream, statusAfter, chatAfter])) s.close();
  }, 60_000);

  it("PostgreSQL restarted: 503 with a JSON detail during the outage, success afterwards without a server restart", async () => {
    const loop = clientLoop({
      mail: (i) => call("POST", "/v1/messages", { token: alice.api_key, body: { to_alias: "bob", subject: "s", body: `pg${i}` } }),
      inbox: () => call("GET", "/v1/messages/inbox?limit=5", { token: bob.api_key }),
      workspaces: () => call("GET", "/v1/workspaces", { token: bob.api_key }),
      sync: (i) => call("POST", "/v1/bdh/sync", { token: alice.api_key, body: syncOf(alice, [{ id: "f-2", title: `p${i}`, status: "open" }]) }),
      health: () => call("GET", "/health"),
    });
    await Bun.sleep(500);
    loop.setPhase("stopping");
    await pg!.stop("fast");
    loop.setPhase("down");
    await Bun.sleep(3000);
    loop.setPhase("recovering");
    await pg!.start();
    const back = await until(async () => (await call("GET", "/v1/messages/inbox?limit=1", { token: bob.api_key })).status === 200, 10_000);
    // postgres.js replays the error of a query that was cut by the shutdown onto
    // the first query of that pool slot after it reconnects (porsager/postgres#1223,
    // open upstream), and a connect attempt racing the shutdown can stall until
    // connect_timeout (3 s). So right after the restart a few requests still get
    // the 503; warm every pool slot up here: each answer is a 200 or that 503,
    // never a hang or a dropped connection, and then everything is clean.
    if (process.env.FAULTS_DEBUG) setTimeout(() => Bun.write("/tmp/faults-server-pg.log", server!.output()), 24_000);
    loop.setPhase("warm-up");
    let replays = 0;
    let cleanBursts = 0;
    const warmStart = Date.now();
    while (cleanBursts < 2 && Date.now() - warmStart < 45_000) {
      const answers = await Promise.all(Array.from({ length: 30 }, () => call("GET", "/v1/workspaces", { token: bob.api_key })));
      const bad = answers.filter((a) => a.status !== 200);
      for (const a of bad) expect([a.status, a.body?.detail ?? a.error]).toEqual([503, "Database unavailable, try again shortly"]);
      replays += bad.length;
      cleanBursts = bad.length === 0 ? cleanBursts + 1 : 0;
    }
    expect(cleanBursts).toBe(2); // the pool converged: two bursts of 30 in a row all answered 200
    if (replays > 0) console.log(`after the Postgres restart: ${replays} stale-connection 503s while warming the pool`);
    loop.setPhase("after");
    await Bun.sleep(1000);
    await loop.stop();

    expect(back).not.toBeNull();
    expect(inPhase(loop.samples, "before").every((s) => s.status === 200)).toBe(true);
    const down = inPhase(loop.samples, "down");
    expect(down.length).toBeGreaterThan(20);
    // A request may wait out a reconnect attempt and succeed once Postgres is back;
    // anything else is the 503.
    for (const s of down) {
      if (s.status === 200) continue;
      if (s.op === "health") expect(s.status).toBe(503);
      else expect([s.op, s.status, s.detail]).toEqual([s.op, 503, "Database unavailable, try again shortly"]);
    }
    expect(down.filter((s) => s.op !== "health" && s.status === 503).length).toBeGreaterThan(10);
    expect(down.filter((s) => s.op === "health" && s.status === 503).length).toBeGreaterThan(2);
    // No 500s, no dropped connections, at any time.
    expect(loop.samples.filter((s) => s.status === 0 || s.status === 500)).toEqual([]);
    for (const s of inPhase(loop.samples, "after")) {
      if (s.status !== 200) expect([s.op, s.status, s.detail]).toEqual([s.op, 503, "Database unavailable, try again shortly"]);
    }
    expect(inPhase(loop.samples, "after").filter((s) => s.status !== 200).length).toBeLessThanOrEqual(2);
    expect(server!.output()).not.toContain("unhandled error");
  }, 90_000);

  it("SIGTERM under load: in-flight requests complete, streams end cleanly, exit code 0", async () => {
    // A fresh process: this is about shutdown, not about the pool's post-restart
    // warm-up above (the old process must also stop cleanly, and is replaced).
    server!.proc.kill("SIGTERM");
    expect(await server!.exited).toBe(0);
    server = await startServerProcess(serverEnv());
    const big = Array.from({ length: 3000 }, (_, i) => ({ id: `big-${i}`, title: `issue ${i} ${"x".repeat(200)}`, status: "open", priority: i % 4 }));
    // Warm the new process up (its first request per route compiles the handler):
    // a cold process accepts connections late, and a connection still in the
    // kernel's accept queue when the listener closes is reset, never answered.
    // The guarantee is about requests the server has received.
    for (const [method, path, body] of [
      ["POST", "/v1/bdh/sync", syncOf(alice, big.slice(0, 10))],
      ["POST", "/v1/messages", { to_alias: "bob", subject: "t", body: "warm" }],
      ["GET", "/v1/workspaces", undefined],
      ["GET", "/v1/beads/issues?limit=200", undefined],
    ] as const) {
      expect((await call(method, path, { token: method === "GET" ? bob.api_key : alice.api_key, body })).status).toBe(200);
    }
    const stream = sse("/v1/status/stream", alice.api_key);
    await Bun.sleep(300);
    const started: Promise<Answer>[] = [];
    for (let i = 0; i < 40; i++) {
      const kind = i % 4;
      started.push(
        kind === 0
          ? call("POST", "/v1/bdh/sync", { token: alice.api_key, body: syncOf(alice, big.slice((i * 50) % 2500, ((i * 50) % 2500) + 500)), timeoutMs: 20_000 })
          : kind === 1
            ? call("POST", "/v1/messages", { token: alice.api_key, body: { to_alias: "bob", subject: "t", body: `term${i}` }, timeoutMs: 20_000 })
            : kind === 2
              ? call("GET", "/v1/workspaces", { token: bob.api_key, timeoutMs: 20_000 })
              : call("GET", "/v1/beads/issues?limit=200", { token: bob.api_key, timeoutMs: 20_000 }),
      );
    }
    await Bun.sleep(100); // let the wave reach the server (the syncs take ~300-700 ms)
    const signalledAt = Date.now();
    server!.proc.kill("SIGTERM");
    // Requests after the signal may be refused, but never cut in half.
    const late: Promise<Answer>[] = [];
    for (let i = 0; i < 10; i++) {
      late.push(call("GET", "/v1/messages/inbox", { token: bob.api_key, timeoutMs: 5000 }));
      await Bun.sleep(20);
    }
    const answers = await Promise.all(started);
    const code = await server!.exited;
    const took = Date.now() - signalledAt;
    if (process.env.FAULTS_DEBUG) await Bun.write("/tmp/faults-server.log", server!.output());

    expect(answers.filter((a) => a.status !== 200 || a.body === null).map((a) => [a.status, a.error ?? a.text.slice(0, 100)])).toEqual([]);
    for (const a of await Promise.all(late)) {
      if (a.status !== 0) expect(a.body).not.toBeNull(); // a complete JSON answer, or none at all
    }
    expect(code).toBe(0);
    expect(took).toBeLessThan(12_000);
    await stream.done;
    expect(stream.state.error).toBeNull();
    expect(server!.output()).not.toContain('"msg":"unhandled error"');
  }, 60_000);
});

describe("process guards for postgres.js races (src/db/driver-guard.ts)", () => {
  // The real race (socket.write on a closed connection, thrown from a
  // setImmediate) is rare even in the loop above; replay its shape directly.
  const script = (body: string) => `
    import { installDriverGuards } from "./src/db/driver-guard";
    import { createLogger } from "./src/log";
    installDriverGuards(createLogger("warning", true));
    ${body}
    setTimeout(() => { console.log("still alive"); process.exit(0); }, 100);
  `;
  const run = async (body: string) => {
    const proc = Bun.spawn([process.execPath, "-e", script(body)], { cwd: `${import.meta.dir}/..`, stdout: "pipe", stderr: "pipe" });
    const out = (await new Response(proc.stdout).text()) + (await new Response(proc.stderr).text());
    return { code: await proc.exited, out };
  };

  test("the nextWrite TypeError and unawaited database errors are logged and survived", async () => {
    const res = await run(`
      function nextWrite() { const socket = null; return socket.write("x"); }
      setImmediate(() => nextWrite());
      Promise.reject(Object.assign(new Error("terminating connection due to administrator command"), { name: "PostgresError", code: "57P01" }));
    `);
    expect(res.out).toContain("postgres driver race survived");
    expect(res.out).toContain("postgres driver error nobody awaited");
    expect(res.out).toContain("still alive");
    expect(res.code).toBe(0);
  });

  test("any other uncaught exception still ends the process with code 1", async () => {
    const res = await run(`setImmediate(() => { throw new Error("a real bug"); });`);
    expect(res.out).toContain('"msg":"uncaught exception"');
    expect(res.out).not.toContain("still alive");
    expect(res.code).toBe(1);
  });
});
