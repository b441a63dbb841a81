// GET /v1/chat/sessions/{id}/stream (docs/protocol/chat.md#chat-stream): a Server-Sent
// Events stream of a session's messages and read receipts until the deadline.
//
// No shared in-memory state: the stream keeps its own watermark and asks the
// database. It wakes up on the session's bus channel (published after every
// committed send/read, by any instance) and polls every second as a fallback in
// case a wake-up is lost. The message watermark is a (created_at text, message_id)
// keyset, never a JS Date, so equal or microsecond-apart timestamps are each
// delivered exactly once (docs/protocol/chat.md). That needs created_at order to equal commit
// order, which every writer guarantees by stamping clock_timestamp() under the
// session's row lock (data.ts lockSession): insert chat messages only through
// service.ts, never with a bare INSERT.
import type { Deps } from "../deps";
import { openEventStream, sleeper, type EventStream } from "../http/sse";
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

const REPLAY_LIMIT = 50;
const BATCH_LIMIT = 200;
const DEFAULT_INTERVALS = {
  /** Fallback poll, in case a bus wake-up is lost. */
  pollMs: 1000,
  /** `: keepalive` comments keep proxies from closing an idle stream. */
  keepaliveMs: 15_000,
  /** Refresh of the waiting entry (docs/protocol/redis.md#redis-what-lives-there). */
  refreshMs: ttl.chatWaitingRefreshSeconds * 1000,
};
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

export function chatStreamResponse(deps: Deps, o: StreamOptions): Response {
  const every = { ...DEFAULT_INTERVALS, ...o.intervals };
  let unsubscribe: (() => void) | null = null;
  return openEventStream({
    name: "chat",
    log: deps.log,
    requestSignal: o.requestSignal,
    shutdownSignal: o.shutdownSignal,
    keepaliveMs: every.keepaliveMs,
    onClose: () => unsubscribe?.(),
    async start(stream) {
      // First byte before any database work: the client sees the stream is up.
      stream.keepalive();
      const chat = new ChatStream(deps, o, stream, every);
      // Subscribe before reading, so a send committed during the replay still wakes us.
      unsubscribe = deps.bus.subscribe([channels.chatSession(o.sessionId)], () => chat.notify());
      await registerWaiting(deps, o.sessionId, o.viewerId);
      try {
        await chat.loop();
      } finally {
        await unregisterWaiting(deps, o.sessionId, o.viewerId);
      }
    },
  });
}

/** One stream's watermark and receipts, and the loop that moves them forward. */
class ChatStream {
  /** A wake-up arrived: query before sleeping again. */
  private dirty = false;
  private readonly sleeper: ReturnType<typeof sleeper>;
  private watermark: Watermark = EPOCH;
  /** Other participants' last_read_at as of connect or the last event sent for them. */
  private receipts = new Map<string, string>();

  constructor(
    private readonly deps: Deps,
    private readonly o: StreamOptions,
    private readonly stream: EventStream,
    private readonly every: typeof DEFAULT_INTERVALS,
  ) {
    this.sleeper = sleeper(stream.signal);
  }

  private get closed(): boolean {
    return this.stream.closed;
  }

  notify(): void {
    this.dirty = true;
    this.sleeper.wake();
  }

  async loop(): Promise<void> {
    const { deps, o, every } = this;
    if (this.closed) return;
    for (const r of await listOtherReceipts(deps.sql, o.sessionId, o.viewerId)) this.receipts.set(r.agent_id, r.last_read_at);
    await this.replay();
    let now = Date.now();
    let nextPoll = now + every.pollMs;
    let nextRefresh = now + every.refreshMs;
    while (!this.closed) {
      now = Date.now();
      if (now >= o.deadlineMs) return;
      if (!this.dirty) await this.sleeper.sleep(Math.min(o.deadlineMs, nextPoll, nextRefresh) - now);
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
      if (now >= nextRefresh) {
        await registerWaiting(deps, o.sessionId, o.viewerId);
        nextRefresh = now + every.refreshMs;
      }
    }
  }

  /**
   * Without `after`: the last 50 messages, oldest first — aw v0.4.0 waits for
   * its own message to appear before it accepts replies (docs/protocol/chat.md#chat-stream, docs/protocol/chat.md). With
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

  /** Receipts are never replayed: only those that changed since connect (docs/protocol/chat.md#chat-stream step 4). */
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
    this.stream.send(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
