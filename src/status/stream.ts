// The body of GET /v1/status/stream (docs/protocol/status.md#status-stream): events of a
// fixed workspace set, as Server-Sent Events.
//
// Every stream registers one in-memory listener on the process's event bus
// (one Redis subscriber connection per process, never one per client) and
// removes it the moment the client goes away (request aborted or body
// cancelled), the server shuts down, or the client stops reading.
import type { Deps } from "../deps";
import { openEventStream, sleeper } from "../http/sse";
import { channels } from "../redis/keys";

export const EVENT_CATEGORIES = ["reservation", "message", "escalation", "bead", "chat"] as const;

interface Timings {
  /** Silence after which a `: keepalive` comment is sent (docs/protocol/status.md#status-stream: 30 s). */
  keepaliveMs: number;
  /** A stream with no workspaces closes after this long (docs/protocol/status.md#status-stream: 5 min). */
  emptyStreamMs: number;
  /** How long the first keepalive waits for Redis to confirm the subscription. */
  readyWaitMs: number;
}

const DEFAULT_TIMINGS: Timings = { keepaliveMs: 30_000, emptyStreamMs: 5 * 60_000, readyWaitMs: 1000 };
let timings: Timings = { ...DEFAULT_TIMINGS };

/** Tests only: shorten the stream's clocks. Returns a function restoring the defaults. */
export function setStatusStreamTimings(overrides: Partial<Timings>): () => void {
  timings = { ...timings, ...overrides };
  return () => {
    timings = { ...DEFAULT_TIMINGS };
  };
}

const encoder = new TextEncoder();

interface Frame {
  category: string;
  bytes: Uint8Array;
}

// Every local stream receives the same published text in one synchronous
// fan-out loop; parse and encode it once, not once per client.
let memoRaw: string | null = null;
let memoFrame: Frame | null = null;

function frameOf(raw: string): Frame | null {
  if (raw === memoRaw) return memoFrame;
  let frame: Frame | null = null;
  try {
    const event: unknown = JSON.parse(raw);
    if (event !== null && typeof event === "object" && !Array.isArray(event)) {
      const type = (event as { type?: unknown }).type;
      const category = typeof type === "string" ? type.split(".")[0] : "";
      // One `data:` line per frame: re-serialize the rare multi-line JSON.
      const text = /[\r\n]/.test(raw) ? JSON.stringify(event) : raw;
      frame = { category, bytes: encoder.encode(`data: ${text}\n\n`) };
    }
  } catch {
    frame = null; // not JSON: dropped (docs/protocol/status.md#status-stream)
  }
  memoRaw = raw;
  memoFrame = frame;
  return frame;
}

export interface StatusStreamOptions {
  workspaceIds: string[];
  /** Categories to pass (the `type` prefix before "."); null = all. */
  categories: ReadonlySet<string> | null;
  requestSignal: AbortSignal;
  shutdownSignal: AbortSignal;
}

export function statusStreamResponse(deps: Deps, o: StatusStreamOptions): Response {
  let unsubscribe: (() => void) | null = null;
  return openEventStream({
    name: "status",
    log: deps.log,
    requestSignal: o.requestSignal,
    shutdownSignal: o.shutdownSignal,
    keepaliveMs: timings.keepaliveMs,
    onClose: () => unsubscribe?.(),
    async start(stream) {
      const { sleep } = sleeper(stream.signal);
      if (o.workspaceIds.length === 0) {
        // Nothing to listen to: keepalives only, then close.
        stream.keepalive();
        await sleep(timings.emptyStreamMs);
        return;
      }
      const subscription = deps.bus.subscribe(
        o.workspaceIds.map((id) => channels.workspaceEvents(id)),
        (raw) => {
          const frame = frameOf(raw);
          if (frame === null) return;
          if (o.categories !== null && !o.categories.has(frame.category)) return;
          stream.send(frame.bytes);
        },
      );
      unsubscribe = subscription;
      // The first comment goes out once Redis confirmed the subscription (a few
      // ms), so a client that has read it will not miss a later event; if Redis
      // is slow or away we answer anyway and events flow once it is back.
      await Promise.race([subscription.ready, sleep(timings.readyWaitMs)]);
      stream.keepalive();
      await sleep(Infinity);
    },
  });
}
