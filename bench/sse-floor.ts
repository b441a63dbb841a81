// The floor for SSE fan-out: a bare Bun server with one Redis subscription
// that copies every message to every open stream, nothing else (no auth, no
// filtering, no framework). `bun bench/sse-floor.ts <port> <redis url> <channel>`.
import Redis from "ioredis";
import { installTracingChannelFix } from "../src/redis/tracing-channel-fix";

// The floor gets the same ioredis fix as the server (src/redis/tracing-channel-fix.ts).
installTracingChannelFix();

const [port, redisUrl, channel] = process.argv.slice(2);
const encoder = new TextEncoder();
const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();

const subscriber = new Redis(redisUrl);
subscriber.on("message", (_channel: string, message: string) => {
  const frame = encoder.encode(`data: ${message}\n\n`);
  for (const c of streams) c.enqueue(frame);
});
await subscriber.subscribe(channel);

Bun.serve({
  hostname: "127.0.0.1",
  port: Number(port),
  reusePort: false,
  idleTimeout: 0,
  fetch() {
    let self: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        self = controller;
        streams.add(controller);
        controller.enqueue(encoder.encode(": keepalive\n\n"));
      },
      cancel() {
        streams.delete(self);
      },
    });
    return new Response(body, { headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" } });
  },
});
console.log("ready");
