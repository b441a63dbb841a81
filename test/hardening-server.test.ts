// Issue 19 over a real port: the time to receive a request is bounded
// (defect 1), one address cannot hold every connection (defect 1), event
// streams stay up through the idle timeout, a broken body is logged as the
// client's doing (defect 8), and a draining server answers with
// Connection: close (defect 9).
import { afterAll, describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { startServer, type RunningServer } from "../src/server";
import { createLogger } from "../src/log";
import { createDatabaseFromTemplate, dropDatabase } from "./support/db";
import { deleteRedisPrefix, testConfig } from "./support/harness";

const db = await createDatabaseFromTemplate();
const prefix = `test:${db}:`;
const lines: string[] = [];
const config = testConfig(db, prefix, { port: 0, host: "127.0.0.1", idleTimeoutSeconds: 2, maxRequestsPerAddress: 4 });
let running: RunningServer | null = await startServer(config, createLogger("info", true, (l) => lines.push(l)));
const port = running.server.port;
const base = `http://127.0.0.1:${port}`;
afterAll(async () => {
  await running?.stop();
  await deleteRedisPrefix(prefix);
  await dropDatabase(db);
});

interface Raw {
  socket: Socket<undefined>;
  text: () => string;
  closed: Promise<number>;
}

/** A raw TCP client: what arrives, and when the server closed it (ms after open). */
async function raw(): Promise<Raw> {
  let buf = "";
  const opened = Date.now();
  let onClose: (ms: number) => void = () => {};
  const closed = new Promise<number>((r) => (onClose = r));
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port: port!,
    socket: {
      data(_s, d) {
        buf += d.toString();
      },
      close() {
        onClose(Date.now() - opened);
      },
      error() {},
    },
  });
  return { socket, text: () => buf, closed };
}

const PARTIAL = "POST /v1/agents/suggest-alias-prefix HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, Bun.sleep(ms).then(() => "timeout" as const)]);

describe("receiving a request is bounded", () => {
  test("headers and part of a body, then silence: closed after the idle timeout; /health answers meanwhile", async () => {
    const c = await raw();
    c.socket.write(PARTIAL);
    // a route that reads its own body (MCP) too
    const mcp = await raw();
    mcp.socket.write("POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const closedAfter = await within(c.closed, 6000);
    expect(closedAfter).not.toBe("timeout");
    expect(closedAfter as number).toBeGreaterThanOrEqual(1500);
    expect(await within(mcp.closed, 3000)).not.toBe("timeout");
  }, 10_000);

  test("one address may hold only maxRequestsPerAddress requests in flight: 429 + Retry-After, /health exempt, freed after", async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => raw()));
    for (const c of held) c.socket.write(PARTIAL);
    await Bun.sleep(200);
    const refused = await fetch(`${base}/v1/agents/suggest-alias-prefix`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project_slug: "x" }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toEqual({ detail: "Too many requests in flight from your address (limit 4)" });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await Promise.all(held.map((c) => within(c.closed, 6000)));
    await Bun.sleep(100);
    const after = await fetch(`${base}/v1/agents/suggest-alias-prefix`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project_slug: "x" }),
    });
    expect(after.status).not.toBe(429);
  }, 12_000);

  test("answers given before routing (415, 404, 405, 422, 401) free their slot: no address is locked out", async () => {
    const sends: [string, RequestInit][] = [
      ["/v1/init", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=b" }],
      ["/nowhere", {}],
      ["/v1/init", { method: "GET" }],
      ["/v1/init", { method: "POST", headers: { "content-type": "application/json" }, body: "{" }],
      ["/v1/workspaces", {}],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [path, init] of sends) {
        const res = await fetch(base + path, init);
        await res.arrayBuffer();
        expect(res.status).not.toBe(429);
      }
    }
  });

  test("an event stream stays open past the idle timeout", async () => {
    const init = await fetch(`${base}/v1/init`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project_slug: "streams", alias: "s1", repo_origin: "git@github.com:acme/s.git" }),
    });
    const me = (await init.json()) as { api_key: string; workspace_id: string };
    const abort = new AbortController();
    const res = await fetch(`${base}/v1/status/stream?workspace_id=${me.workspace_id}`, {
      headers: { authorization: `Bearer ${me.api_key}` },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const ended = (async () => {
      for (;;) {
        const r = await reader.read().catch(() => ({ done: true }));
        if (r.done) return "ended";
      }
    })();
    expect(await within(ended, 6000)).toBe("timeout");
    abort.abort();
  }, 10_000);
});

describe("a client that breaks its body off", () => {
  test("malformed chunked body: logged as the client's framing error, not as a server error", async () => {
    const c = await raw();
    c.socket.write(
      "POST /v1/agents/suggest-alias-prefix HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    );
    await within(c.closed, 3000);
    await Bun.sleep(100);
    const errors = lines.map((l) => JSON.parse(l)).filter((l) => l.level === "error");
    expect(errors).toEqual([]);
    expect(lines.some((l) => l.includes("client framing error"))).toBe(true);
  });
});

describe("a status stream the server drops (defect 6)", () => {
  test("a client that stops reading is cut off: its TCP connection ends", async () => {
    const { connect } = await import("node:net");
    const init = await fetch(`${base}/v1/init`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project_slug: "dropped", alias: "slow", repo_origin: "git@github.com:acme/d.git" }),
    });
    const me = (await init.json()) as { api_key: string; workspace_id: string };
    const socket = connect(port!, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    let ended = false;
    socket.on("close", () => (ended = true));
    socket.on("error", () => (ended = true));
    socket.write(
      `GET /v1/status/stream?workspace_id=${me.workspace_id} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${me.api_key}\r\n\r\n`,
    );
    await new Promise<void>((resolve) => socket.once("data", () => resolve()));
    socket.pause();
    const { channels } = await import("../src/redis/keys");
    const bus = running!.handle.deps.bus;
    const pad = "x".repeat(8 * 1024);
    for (let i = 0; i < 6000; i++) {
      await bus.publish(channels.workspaceEvents(me.workspace_id), JSON.stringify({ type: "bead.status_changed", workspace_id: me.workspace_id, pad, i }));
    }
    socket.resume();
    socket.on("data", () => {});
    const started = Date.now();
    while (!ended && Date.now() - started < 15_000) await Bun.sleep(50);
    expect(ended).toBe(true);
  }, 30_000);
});

describe("SIGTERM drain", () => {
  test("a request on a kept-alive connection during the drain is answered, with Connection: close", async () => {
    const c = await raw();
    c.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    await Bun.sleep(100);
    expect(c.text()).toStartWith("HTTP/1.1 200");
    const before = c.text().length;
    const stopping = running!.stop();
    await Bun.sleep(50);
    c.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    await within(c.closed, 3000);
    const second = c.text().slice(before);
    expect(second).toStartWith("HTTP/1.1 200");
    expect(second.toLowerCase()).toContain("connection: close");
    await stopping;
    running = null;
  });
});
