// SSE delivery load generator, run as its own process so the server under
// test does not share an event loop with its clients:
//   bun bench/sse-load.ts '<json SseLoadSpec>'
// Opens `clients` raw HTTP/1.1 connections to `url`, waits until every one has
// its first frame (the stream's keepalive, sent once the server subscribed),
// then publishes `events` messages at `rate`/s on Redis `channel` itself, so
// send and receive times come from one clock. Prints one JSON line.
import Redis from "ioredis";

export interface SseLoadSpec {
  url: string;
  token?: string;
  clients: number;
  events: number;
  rate: number;
  warmupEvents: number;
  redisUrl: string;
  channel: string;
  workspaceId: string;
  /** After the last publish, stop once this many milliseconds pass without a delivery. */
  graceMs: number;
}

export interface SseLoadResult {
  clients_connected: number;
  expected: number;
  delivered: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  publish_lag_p99_ms: number;
  /** CPU seconds this load process used (if it nears the wall time, the client limits the figures). */
  client_cpu_s: number;
  wall_s: number;
}

const spec = JSON.parse(process.argv[2]) as SseLoadSpec;
const started = performance.now();
const url = new URL(spec.url);
const request =
  `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n` +
  (spec.token ? `Authorization: Bearer ${spec.token}\r\n` : "") +
  "\r\n";

const sentAt = new Float64Array(spec.events);
const latencies: number[] = [];
let connected = 0;
let onAllConnected: () => void = () => {};
const allConnected = new Promise<void>((resolve) => (onAllConnected = resolve));
const SEQ = Buffer.from('"seq":');
const FRAME_END = Buffer.from("\n\n");

/** Every `"seq":N` in a buffer of whole frames; recorded against its send time. */
function record(buf: Buffer, now: number): void {
  let i = buf.indexOf(SEQ);
  while (i >= 0) {
    let j = i + SEQ.length;
    let negative = false;
    if (buf[j] === 45) {
      negative = true;
      j++;
    }
    let seq = 0;
    while (buf[j] >= 48 && buf[j] <= 57) seq = seq * 10 + (buf[j++] - 48);
    if (!negative && seq < spec.events) latencies.push(now - sentAt[seq]);
    i = buf.indexOf(SEQ, j);
  }
}

async function openClient(): Promise<void> {
  // Bytes after the last complete frame (a frame split across reads: rare on loopback).
  let pending: Buffer | null = null;
  let first = true;
  await Bun.connect({
    hostname: url.hostname,
    port: Number(url.port),
    socket: {
      binaryType: "buffer",
      open(socket) {
        socket.write(request);
      },
      data(_socket, chunk: Buffer) {
        const now = performance.now();
        let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
        pending = null;
        if (first) {
          if (buf.indexOf(FRAME_END) < 0) {
            pending = buf;
            return;
          }
          first = false;
          if (buf.toString("latin1", 0, 12) !== "HTTP/1.1 200") throw new Error(`stream refused: ${buf.toString().slice(0, 200)}`);
          if (++connected === spec.clients) onAllConnected();
        }
        const end = buf.lastIndexOf(FRAME_END);
        if (end < 0) {
          pending = buf;
          return;
        }
        if (end + 2 < buf.length) {
          pending = Buffer.from(buf.subarray(end + 2));
          buf = buf.subarray(0, end + 2);
        }
        record(buf, now);
      },
      error(_socket, err) {
        console.error("client error", err.message);
      },
    },
  });
}

// Connect in batches so the accept queue does not overflow.
for (let i = 0; i < spec.clients; i += 100) {
  await Promise.all(Array.from({ length: Math.min(100, spec.clients - i) }, () => openClient()));
}
await Promise.race([allConnected, Bun.sleep(30_000)]);
if (connected < spec.clients) console.error(`only ${connected}/${spec.clients} streams answered`);

const redis = new Redis(spec.redisUrl);
const publishLag: number[] = [];
async function publishAll(from: number, count: number): Promise<void> {
  const interval = 1000 / spec.rate;
  const start = performance.now() + 5;
  for (let i = 0; i < count; i++) {
    const target = start + i * interval;
    const wait = target - performance.now();
    if (wait > 1) await Bun.sleep(wait - 0.5);
    while (performance.now() < target) {
      /* spin the last half millisecond for an even rate */
    }
    const seq = from + i;
    const t = performance.now();
    if (seq >= 0) {
      sentAt[seq] = t;
      publishLag.push(t - target);
    }
    const event = {
      workspace_id: spec.workspaceId,
      type: "escalation.created",
      timestamp: new Date().toISOString(),
      project_slug: null,
      escalation_id: "bench",
      alias: "bench",
      subject: "sse bench",
      seq,
    };
    redis.publish(spec.channel, JSON.stringify(event));
  }
}
await publishAll(-spec.warmupEvents, spec.warmupEvents); // warm-up: not counted
await Bun.sleep(200);
latencies.length = 0;
await publishAll(0, spec.events);
const expected = spec.clients * spec.events;
// Late is not lost: wait while deliveries still arrive, until graceMs pass without one.
let seen = latencies.length;
let lastProgress = performance.now();
while (latencies.length < expected && performance.now() - lastProgress < spec.graceMs) {
  await Bun.sleep(20);
  if (latencies.length > seen) {
    seen = latencies.length;
    lastProgress = performance.now();
  }
}

const sorted = latencies.sort((x, y) => x - y);
const pct = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
const lag = publishLag.sort((x, y) => x - y);
const result: SseLoadResult = {
  clients_connected: connected,
  expected,
  delivered: sorted.length,
  p50_ms: Math.round(pct(50) * 100) / 100,
  p99_ms: Math.round(pct(99) * 100) / 100,
  max_ms: Math.round((sorted[sorted.length - 1] ?? NaN) * 100) / 100,
  publish_lag_p99_ms: Math.round((lag[Math.floor(lag.length * 0.99)] ?? NaN) * 100) / 100,
  client_cpu_s: Math.round(((process.cpuUsage().user + process.cpuUsage().system) / 1e6) * 100) / 100,
  wall_s: Math.round((performance.now() - started) / 10) / 100,
};
console.log(JSON.stringify(result));
redis.disconnect();
process.exit(0);
