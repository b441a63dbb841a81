// Process-wide event bus over Redis pub/sub. One dedicated subscriber
// connection per process (a subscribed connection can run nothing else); local
// listeners are fanned out in memory, so 1,000 SSE clients cost one Redis
// subscription per channel, not 1,000 connections. Publishing goes through the
// shared command connection. Both are best effort: Redis is not authoritative.
import type Redis from "ioredis";
import type { Logger } from "../log";

export type Listener = (message: string) => void;

export interface EventBus {
  /** Publish raw text on a channel (unprefixed; the bus adds the deployment prefix). */
  publish(channel: string, message: string): Promise<void>;
  /** Listen on channels; the returned function removes the listener (idempotent). */
  subscribe(channelNames: string[], listener: Listener): () => void;
  /** Local listeners currently registered (tests check that streams clean up). */
  listenerCount(): number;
  close(): Promise<void>;
}

export function createRedisBus(redis: Redis, log: Logger): EventBus {
  const prefix = (redis.options.keyPrefix as string | undefined) ?? "";
  const listeners = new Map<string, Set<Listener>>();
  let subscriber: Redis | null = null;

  const sub = (): Redis => {
    if (!subscriber) {
      // duplicate() copies options, including keyPrefix, which ioredis does not
      // apply to channel names; we prefix channels ourselves.
      subscriber = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false, keyPrefix: undefined });
      subscriber.on("error", () => {});
      subscriber.on("message", (channel: string, message: string) => {
        const set = listeners.get(channel.slice(prefix.length));
        if (!set) return;
        for (const l of [...set]) {
          try {
            l(message);
          } catch (err) {
            log.error("event listener failed", { channel, error: String(err) });
          }
        }
      });
    }
    return subscriber;
  };

  return {
    async publish(channel, message) {
      try {
        await redis.publish(prefix + channel, message);
      } catch (err) {
        log.warning("event publish failed", { channel, error: (err as Error).message });
      }
    },
    subscribe(channelNames, listener) {
      const s = sub();
      for (const ch of channelNames) {
        let set = listeners.get(ch);
        if (!set) {
          set = new Set();
          listeners.set(ch, set);
          s.subscribe(prefix + ch).catch((err) =>
            log.warning("event subscribe failed", { channel: ch, error: (err as Error).message }),
          );
        }
        set.add(listener);
      }
      let done = false;
      return () => {
        if (done) return;
        done = true;
        for (const ch of channelNames) {
          const set = listeners.get(ch);
          if (!set) continue;
          set.delete(listener);
          if (set.size === 0) {
            listeners.delete(ch);
            s.unsubscribe(prefix + ch).catch(() => {});
          }
        }
      };
    },
    listenerCount() {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
    async close() {
      listeners.clear();
      if (subscriber) {
        subscriber.disconnect();
        subscriber = null;
      }
    },
  };
}
