// GET /v1/chat/sessions/{id}/stream (contract aweb.md §8.7): a Server-Sent
// Events stream of a session's messages and read receipts until the deadline.
//
// No shared in-memory state: the stream keeps its own watermark and asks the
// database. It wakes up on the session's bus channel (published after every
// committed send/read, by any instance) and polls every second as a fallback in
// case a wake-up is lost. The message watermark is a (created_at text, message_id)
// keyset, never a JS Date, so equal or microsecond-apart timestamps are each
// delivered exactly once (§12.8). That needs created_at order to equal commit
// order, which every writer guarantees by stamping clock_timestamp() under the
// session's row lock (data.ts lockSession): insert chat messages only through
// service.ts, never with a bare INSERT.
import type { Deps } from "../deps";
import { channels, ttl } from "../redis/keys";
import {
  listHistory,
  listMessagesAfter,
  listOtherReceipts,
  MAX_UUID,
  MIN_UUID,
  type ChatMessageRow,
  type ReceiptRow,
  type Watermark,
} from "./data";
import { registerWaiting, unregisterWaiting, waitingOn } from "./waiting";

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

const REPLAY_LIMIT = 50;
const BATCH_LIMIT = 200;
const DEFAULT_INTERVALS = {
  /** Fallback poll, in case a bus wake-up is lost. */
  pollMs: 1000,
  /** `: keepalive` comments keep proxies from closing an idle stream. */
  keepaliveMs: 15_000,
  /** Refresh of the waiting entry (aweb.md §11). */
  refreshMs: ttl.chatWaitingRefreshSeconds * 1000,
};
const KEEPALIVE = ": keepalive\n\n";
const EPOCH: Watermark = { ts: "-infinity", id: MIN_UUID };

export interface StreamOptions {
  sessionId: string;
  viewerId: string;
  /** Milliseconds since the epoch at which the stream ends. */
  deadlineMs: number;
  /** Full-precision timestamp text: replay only messages created after it. */
  after: string | null;
  /** Ends the stream: the client went away. */
  requestSignal: AbortSignal;
  /** Ends the stream: the server is shutting down. */
  shutdownSignal: AbortSignal;
  /** Overrides of the timer periods (tests). */
  intervals?: Partial<typeof DEFAULT_INTERVALS>;
}

export function chatStreamResponse(deps: Deps, options: StreamOptions): Response {
  return new ChatStream(deps, options).response();
}

class ChatStream {
  private readonly encoder = new TextEncoder();
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private closed = false;
  /** A wake-up arrived: query before sleeping again. */
  private dirty = false;
  private wake: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private watermark: Watermark = EPOCH;
  /** Other participants' last_read_at as of connect or the last event sent for them. */
  private receipts = new Map<string, string>();

  constructor(private readonly deps: Deps, private readonly o: StreamOptions) {}

  response(): Response {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
        this.run().catch((err) => {
          this.deps.log.error("chat stream failed", { session_id: this.o.sessionId, error: String(err) });
          this.finish();
        });
      },
      cancel: () => this.finish(),
    });
    return new Response(body, { status: 200, headers: SSE_HEADERS });
  }

  private send(text: string): void {
    if (this.closed || !this.controller) return;
    try {
      this.controller.enqueue(this.encoder.encode(text));
    } catch {
      this.finish();
    }
  }

  private readonly finish = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.o.requestSignal.removeEventListener("abort", this.finish);
    this.o.shutdownSignal.removeEventListener("abort", this.finish);
    this.wake?.();
    try {
      this.controller?.close();
    } catch {
      /* already cancelled by the client */
    }
  };

  private notify(): void {
    this.dirty = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      timer = setTimeout(done, Math.max(0, ms));
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const { deps, o } = this;
    // First byte before any database work (§12.10): the client sees the stream is up.
    this.send(KEEPALIVE);
    if (o.requestSignal.aborted || o.shutdownSignal.aborted) return this.finish();
    o.requestSignal.addEventListener("abort", this.finish);
    o.shutdownSignal.addEventListener("abort", this.finish);
    // Subscribe before reading, so a send committed during the replay still wakes us.
    this.unsubscribe = deps.bus.subscribe([channels.chatSession(o.sessionId)], () => this.notify());
    await registerWaiting(deps, o.sessionId, o.viewerId);
    try {
      await this.loop();
    } finally {
      await unregisterWaiting(deps, o.sessionId, o.viewerId);
      this.finish();
    }
  }

  private async loop(): Promise<void> {
    const { deps, o } = this;
    const every = { ...DEFAULT_INTERVALS, ...o.intervals };
    if (this.closed) return;
    for (const r of await listOtherReceipts(deps.sql, o.sessionId, o.viewerId)) this.receipts.set(r.agent_id, r.last_read_at);
    await this.replay();
    let now = Date.now();
    let nextPoll = now + every.pollMs;
    let nextKeepalive = now + every.keepaliveMs;
    let nextRefresh = now + every.refreshMs;
    while (!this.closed) {
      now = Date.now();
      if (now >= o.deadlineMs) return;
      if (!this.dirty) await this.sleep(Math.min(o.deadlineMs, nextPoll, nextKeepalive, nextRefresh) - now);
      if (this.closed) return;
      now = Date.now();
      if (now >= o.deadlineMs) return;
      if (this.dirty || now >= nextPoll) {
        this.dirty = false;
        nextPoll = now + every.pollMs;
        try {
          await this.poll();
        } catch (err) {
          // A database hiccup should not cut the client off; the next poll retries
          // from the same watermark, so nothing is lost or repeated.
          deps.log.warning("chat stream poll failed", { session_id: o.sessionId, error: String(err) });
        }
      }
      if (now >= nextKeepalive) {
        this.send(KEEPALIVE);
        nextKeepalive = now + every.keepaliveMs;
      }
      if (now >= nextRefresh) {
        await registerWaiting(deps, o.sessionId, o.viewerId);
        nextRefresh = now + every.refreshMs;
      }
    }
  }

  /**
   * Without `after`: the last 50 messages, oldest first — aw v0.4.0 waits for
   * its own message to appear before it accepts replies (§8.7, §13.1). With
   * `after`: messages created after it, the rest following on the next poll.
   */
  private async replay(): Promise<void> {
    const { deps, o } = this;
    if (o.after === null) {
      await this.emitMessages(await listHistory(deps.sql, o.sessionId, o.viewerId, false, REPLAY_LIMIT));
      return;
    }
    this.watermark = { ts: o.after, id: MAX_UUID };
    const rows = await listMessagesAfter(deps.sql, o.sessionId, this.watermark, REPLAY_LIMIT);
    await this.emitMessages(rows);
    if (rows.length === REPLAY_LIMIT) this.dirty = true;
  }

  private async poll(): Promise<void> {
    const { deps, o } = this;
    for (;;) {
      const rows = await listMessagesAfter(deps.sql, o.sessionId, this.watermark, BATCH_LIMIT);
      await this.emitMessages(rows);
      if (rows.length < BATCH_LIMIT || this.closed) break;
    }
    if (this.closed) return;
    await this.emitReceipts(await listOtherReceipts(deps.sql, o.sessionId, o.viewerId));
  }

  private async emitMessages(rows: ChatMessageRow[]): Promise<void> {
    if (rows.length === 0 || this.closed) return;
    const waiting = await waitingOn(this.deps, this.o.sessionId);
    for (const m of rows) {
      this.frame("message", {
        type: "message",
        session_id: this.o.sessionId,
        message_id: m.message_id,
        from_agent: m.from_alias,
        body: m.body,
        timestamp: m.created_at,
        sender_leaving: m.sender_leaving,
        sender_waiting: waiting.has(m.from_agent_id),
        hang_on: m.hang_on,
        extends_wait_seconds: m.hang_on ? 300 : 0,
      });
      this.watermark = { ts: m.created_at, id: m.message_id };
    }
  }

  /** Receipts are never replayed: only those that changed since connect (§8.7 step 4). */
  private async emitReceipts(rows: ReceiptRow[]): Promise<void> {
    for (const r of rows) {
      if (this.receipts.get(r.agent_id) === r.last_read_at) continue;
      this.receipts.set(r.agent_id, r.last_read_at);
      this.frame("read_receipt", {
        type: "read_receipt",
        session_id: this.o.sessionId,
        reader_alias: r.alias,
        up_to_message_id: r.last_read_message_id ?? "",
        extends_wait_seconds: 300,
        timestamp: r.last_read_at,
      });
    }
  }

  private frame(event: string, data: Record<string, unknown>): void {
    // JSON.stringify escapes newlines, so the data always fits on one line.
    this.send(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
