// The SSE scaffold (src/http/sse.ts) over a real port: keepalives after
// silence, the close lifecycle, and a client that stops reading being cut off
// (the connection really ends) instead of held open forever.
import { afterAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { openEventStream, type EventStream } from "../src/http/sse";
import { silentLogger } from "../src/log";

let current: EventStream | null = null;
let closedCount = 0;
const shutdown = new AbortController();
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  idleTimeout: 0,
  fetch(request) {
    const keepaliveMs = Number(new URL(request.url).searchParams.get("keepalive") ?? "0");
    return openEventStream({
      name: "test",
      log: silentLogger,
      requestSignal: request.signal,
      shutdownSignal: shutdown.signal,
      keepaliveMs,
      onClose: () => closedCount++,
      async start(stream) {
        current = stream;
        stream.keepalive();
        await new Promise<void>((resolve) => stream.signal.addEventListener("abort", () => resolve()));
      },
    });
  },
});
afterAll(() => server.stop(true));

const waitFor = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await Bun.sleep(10);
  }
};

describe("openEventStream", () => {
  test("headers, a first keepalive, frames in order, keepalive after silence, cleanup on disconnect", async () => {
    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${server.port}/?keepalive=100`, { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (needle: string) => {
      while (!text.includes(needle)) text += decoder.decode((await reader.read()).value);
    };
    await until(": keepalive\n\n");
    current!.send("data: 1\n\n");
    current!.send("data: 2\n\n");
    await until("data: 2\n\n");
    expect(text).toBe(": keepalive\n\ndata: 1\n\ndata: 2\n\n");
    // 100 ms without output: another keepalive.
    const before = text.length;
    while (!text.slice(before).includes(": keepalive\n\n")) text += decoder.decode((await reader.read()).value);
    const closes = closedCount;
    abort.abort();
    await waitFor(() => closedCount === closes + 1);
    expect(current!.closed).toBe(true);
  });

  test("server shutdown ends the stream with a clean end of body", async () => {
    const local = new AbortController();
    const res = openEventStream({
      name: "test",
      log: silentLogger,
      requestSignal: new AbortController().signal,
      shutdownSignal: local.signal,
      keepaliveMs: 0,
      start: (stream) => new Promise<void>((resolve) => stream.signal.addEventListener("abort", () => resolve())),
    });
    const reader = res.body!.getReader();
    local.abort();
    const chunks: string[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(new TextDecoder().decode(value));
    }
    expect(chunks.join("")).toBe("");
  });

  test("a client that stops reading is cut off: the TCP connection ends", async () => {
    const socket = connect(server.port!, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(`GET /?keepalive=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    let ended = false;
    socket.on("close", () => (ended = true));
    socket.on("error", () => (ended = true));
    // Read the headers and the first keepalive, then stop reading.
    await new Promise<void>((resolve) => socket.once("data", () => resolve()));
    socket.pause();
    const stream = current!;
    const frame = "data: " + "x".repeat(8 * 1024) + "\n\n";
    // ~80 MB offered: far more than the socket buffers take, so frames queue up.
    for (let i = 0; i < 10_000 && !stream.closed; i++) {
      stream.send(frame);
      if (i % 100 === 0) await Bun.sleep(0);
    }
    expect(stream.closed).toBe(true);
    // Draining what the kernel buffered ends in an end of connection, not a hang.
    socket.resume();
    socket.on("data", () => {});
    await waitFor(() => ended, 10_000);
    expect(ended).toBe(true);
  });
});
