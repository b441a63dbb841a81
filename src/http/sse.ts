// The one Server-Sent Events scaffold: headers, keepalive comments, the close
// lifecycle and slow-client protection. Every stream (chat, status, and any
// later one) is a `start` function writing through it.
//
// A stream ends when the client goes away (request aborted or body
// cancelled), the server shuts down, `start` finishes or fails, or the client
// stops reading. A client that stopped reading is cut off with an error, not a
// close: a close would wait for the queued bytes to drain, which never happens,
// and leave the connection open with nothing flowing (docs/decisions.md).
import type { Logger } from "../log";
import { sseStreams } from "../metrics/process";

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

const encoder = new TextEncoder();
const KEEPALIVE = encoder.encode(": keepalive\n\n");

/** Frames queued for a client before it counts as not reading. */
export const MAX_QUEUED_FRAMES = 4096;

export interface EventStream {
  /** Queue a frame (text is UTF-8 encoded). Does nothing once closed. */
  send(frame: string | Uint8Array): void;
  /** `: keepalive` now (also sent by the scaffold after `keepaliveMs` of silence). */
  keepalive(): void;
  /** End the stream normally. */
  close(): void;
  readonly closed: boolean;
  /** Aborted when the stream ends, for whatever reason. */
  readonly signal: AbortSignal;
}

export interface EventStreamOptions {
  requestSignal: AbortSignal;
  shutdownSignal: AbortSignal;
  /** Silence after which a `: keepalive` comment goes out; 0 = none. */
  keepaliveMs: number;
  log: Logger;
  /** What the stream is, for log lines. */
  name: string;
  /** Writes the stream. When it settles the stream closes (unless it already did). */
  start(stream: EventStream): Promise<void> | void;
  /** Runs once when the stream ends (release subscriptions, registrations). */
  onClose?(): void;
}

/** A 200 `text/event-stream` response whose body `start` writes. */
export function openEventStream(options: EventStreamOptions): Response {
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  const ended = new AbortController();
  let keepaliveTimer: ReturnType<typeof setTimeout> | null = null;
  let lastOutput = performance.now();

  /** `cut`: end the connection now, dropping what is queued (a client that stopped reading). */
  const finish = (cut = false) => {
    if (ended.signal.aborted) return;
    ended.abort();
    sseStreams.open--;
    if (keepaliveTimer) clearTimeout(keepaliveTimer);
    options.requestSignal.removeEventListener("abort", onAbort);
    options.shutdownSignal.removeEventListener("abort", onAbort);
    try {
      options.onClose?.();
    } catch (err) {
      options.log.error("event stream cleanup failed", { stream: options.name, error: String(err) });
    }
    try {
      // error(undefined) makes Bun abort the response, so the connection ends
      // at once; with an Error value Bun also prints it as if it were a crash.
      if (cut) controller?.error(undefined);
      else controller?.close();
    } catch {
      /* already closed or cancelled by the client */
    }
  };
  const onAbort = () => finish();

  const write = (bytes: Uint8Array) => {
    if (ended.signal.aborted || controller === null) return;
    if (controller.desiredSize !== null && controller.desiredSize < -MAX_QUEUED_FRAMES) {
      options.log.warning("event stream dropped a client that stopped reading", { stream: options.name });
      return finish(true);
    }
    try {
      controller.enqueue(bytes);
      lastOutput = performance.now();
    } catch {
      finish(); // the body was already torn down
    }
  };

  // Re-armed lazily: one timer per stream, not one per frame.
  const scheduleKeepalive = (delayMs: number) => {
    if (options.keepaliveMs <= 0 || ended.signal.aborted) return;
    keepaliveTimer = setTimeout(() => {
      const idle = performance.now() - lastOutput;
      if (idle >= options.keepaliveMs - 1) {
        write(KEEPALIVE);
        scheduleKeepalive(options.keepaliveMs);
      } else {
        scheduleKeepalive(options.keepaliveMs - idle);
      }
    }, Math.max(1, delayMs));
  };

  const stream: EventStream = {
    send: (frame) => write(typeof frame === "string" ? encoder.encode(frame) : frame),
    keepalive: () => write(KEEPALIVE),
    close: () => finish(),
    get closed() {
      return ended.signal.aborted;
    },
    signal: ended.signal,
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      sseStreams.open++; // finish() takes it back, exactly once
      if (options.requestSignal.aborted || options.shutdownSignal.aborted) return finish();
      options.requestSignal.addEventListener("abort", onAbort, { once: true });
      options.shutdownSignal.addEventListener("abort", onAbort, { once: true });
      scheduleKeepalive(options.keepaliveMs);
      Promise.resolve()
        .then(() => options.start(stream))
        .then(
          () => finish(),
          (err) => {
            options.log.error("event stream failed", { stream: options.name, error: String(err) });
            finish();
          },
        );
    },
    cancel: () => finish(),
  });
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Resolves after `ms`, or as soon as `wake()` is called or the stream ends.
 * Streams that poll use it to sleep between rounds.
 */
export function sleeper(signal: AbortSignal) {
  let wake: (() => void) | null = null;
  return {
    sleep(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const done = () => {
          if (timer !== undefined) clearTimeout(timer);
          signal.removeEventListener("abort", done);
          wake = null;
          resolve();
        };
        // Beyond setTimeout's range (Infinity included): until woken or ended.
        const timer = ms <= MAX_TIMEOUT_MS ? setTimeout(done, Math.max(0, ms)) : undefined;
        signal.addEventListener("abort", done, { once: true });
        wake = done;
      });
    },
    wake(): void {
      wake?.();
    },
  };
}
