// The body of GET /v1/status/stream (contract beadhub.md §16.4): events of a
// fixed workspace set, as Server-Sent Events.
//
// Every stream registers one in-memory listener on the process's event bus
// (one Redis subscriber connection per process, never one per client) and
// removes it the moment the client goes away (request aborted or body
// cancelled), the server shuts down, or the client stops reading.
import type { Deps } from "../deps";
import { channels } from "../redis/keys";

export const STATUS_SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

export const EVENT_CATEGORIES = ["reservation", "message", "escalation", "bead"] as const;

interface Timings {
  /** Silence after which a `: keepalive` comment is sent (§16.4: 30 s). */
  keepaliveMs: number;
  /** A stream with no workspaces closes after this long (§16.4: 5 min). */
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

/** A client this many frames behind is not reading: drop it rather than buffer forever. */
const MAX_QUEUED_FRAMES = 4096;

const encoder = new TextEncoder();
const KEEPALIVE = encoder.encode(": keepalive\n\n");

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
    frame = null; // not JSON: dropped (§16.4)
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

export function statusStreamResponse(deps: Deps, options: StatusStreamOptions): Response {
  return new StatusStream(deps, options).response();
}

class StatusStream {
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private closed = false;
  private unsubscribe: (() => void) | null = null;
  private keepaliveTimer: ReturnType<typeof setTimeout> | null = null;
  private endTimer: ReturnType<typeof setTimeout> | null = null;
  private lastOutput = 0;
  private readonly finish = () => this.close();

  constructor(private readonly deps: Deps, private readonly o: StatusStreamOptions) {}

  response(): Response {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
        this.open();
      },
      cancel: this.finish,
    });
    return new Response(body, { status: 200, headers: STATUS_SSE_HEADERS });
  }

  private open(): void {
    const { requestSignal, shutdownSignal, workspaceIds } = this.o;
    if (requestSignal.aborted || shutdownSignal.aborted) return this.close();
    requestSignal.addEventListener("abort", this.finish, { once: true });
    shutdownSignal.addEventListener("abort", this.finish, { once: true });

    if (workspaceIds.length === 0) {
      // Nothing to listen to: keepalives only, then close (§16.4 item 4).
      this.write(KEEPALIVE);
      this.endTimer = setTimeout(this.finish, timings.emptyStreamMs);
      this.scheduleKeepalive(timings.keepaliveMs);
      return;
    }
    const unsubscribe = this.deps.bus.subscribe(
      workspaceIds.map((id) => channels.workspaceEvents(id)),
      (raw) => this.onMessage(raw),
    );
    this.unsubscribe = unsubscribe;
    // The first comment goes out once Redis confirmed the subscription (a few
    // ms), so a client that has read it will not miss a later event; if Redis
    // is slow or away we answer anyway and events flow once it is back.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, timings.readyWaitMs)));
    Promise.race([unsubscribe.ready, waited]).then(() => {
      clearTimeout(timer);
      if (this.closed) return;
      this.write(KEEPALIVE);
      this.scheduleKeepalive(timings.keepaliveMs);
    });
  }

  private onMessage(raw: string): void {
    if (this.closed) return;
    const frame = frameOf(raw);
    if (frame === null) return;
    if (this.o.categories !== null && !this.o.categories.has(frame.category)) return;
    this.write(frame.bytes);
  }

  private write(bytes: Uint8Array): void {
    const c = this.controller;
    if (this.closed || c === null) return;
    if (c.desiredSize !== null && c.desiredSize < -MAX_QUEUED_FRAMES) {
      this.deps.log.warning("status stream dropped a client that stopped reading", {});
      return this.close();
    }
    try {
      c.enqueue(bytes);
      this.lastOutput = performance.now();
    } catch {
      this.close(); // the body was already torn down
    }
  }

  /** Keepalive after `keepaliveMs` without output; re-armed lazily, not per event. */
  private scheduleKeepalive(delayMs: number): void {
    if (this.closed) return;
    this.keepaliveTimer = setTimeout(() => {
      const idle = performance.now() - this.lastOutput;
      if (idle >= timings.keepaliveMs - 1) {
        this.write(KEEPALIVE);
        this.scheduleKeepalive(timings.keepaliveMs);
      } else {
        this.scheduleKeepalive(timings.keepaliveMs - idle);
      }
    }, Math.max(1, delayMs));
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.keepaliveTimer) clearTimeout(this.keepaliveTimer);
    if (this.endTimer) clearTimeout(this.endTimer);
    this.o.requestSignal.removeEventListener("abort", this.finish);
    this.o.shutdownSignal.removeEventListener("abort", this.finish);
    try {
      this.controller?.close();
    } catch {
      /* already closed or cancelled */
    }
  }
}
