// Process-wide event bus over Redis pub/sub. One dedicated subscriber
// connection per process (a subscribed connection can run nothing else); local
// listeners are fanned out in memory, so 1,000 SSE clients cost one Redis
// subscription per channel, not 1,000 connections. Publishing goes through the
// shared command connection. Both are best effort: Redis is not authoritative.
//
// Nothing here is shared between instances except Redis itself: an event
// published by any process reaches the listeners of every process.
import type Redis from "ioredis";
import type { Logger } from "../log";

export type Listener = (message: string) => void;

/** Removes the listener (idempotent). `ready` settles once Redis confirmed every channel. */
export type Unsubscribe = (() => void) & { ready: Promise<void> };

export interface EventBus {
  /** Publish raw text on a channel (unprefixed; the bus adds the deployment prefix). */
  publish(channel: string, message: string): Promise<void>;
  /** Listen on channels; the returned function removes the listener (idempotent). */
  subscribe(channelNames: string[], listener: Listener): Unsubscribe;
  /** Local listeners currently registered (tests check that streams clean up). */
  listenerCount(): number;
  close(): Promise<void>;
}

interface Channel {
  listeners: Set<Listener>;
  /** Resolves when Redis acknowledged the SUBSCRIBE (or it failed: never rejects). */
  ready: Promise<void>;
}

export function createRedisBus(redis: Redis, log: Logger): EventBus {
  const prefix = (redis.options.keyPrefix as string | undefined) ?? "";
  const channels = new Map<string, Channel>();
  let listenerTotal = 0;
  let subscriber: Redis | null = null;
  let closed = false;

  const deliver = (channel: string, message: string) => {
    const entry = channels.get(channel.slice(prefix.length));
    if (!entry) return;
    // Listeners may unsubscribe while we iterate (a stream closing on a slow
    // client); iterating a Set tolerates deletion of not-yet-visited items,
    // and a removed listener must not get the message anyway.
    for (const l of entry.listeners) {
      try {
        l(message);
      } catch (err) {
        log.error("event listener failed", { channel, error: String(err) });
      }
    }
  };

  const sub = (): Redis => {
    if (!subscriber) {
      // duplicate() copies the command connection's options. Overrides:
      // - keyPrefix: ioredis does not prefix channel names; we do it ourselves.
      // - offline queue on, no retry limit, no command timeout: a SUBSCRIBE sent
      //   while Redis is away waits for it instead of being dropped (ioredis only
      //   re-subscribes channels whose SUBSCRIBE once succeeded).
      subscriber = redis.duplicate({
        keyPrefix: undefined,
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
        commandTimeout: undefined,
        enableAutoPipelining: false,
        lazyConnect: false,
      });
      subscriber.on("error", () => {});
      subscriber.on("message", deliver);
      let connectedOnce = false;
      subscriber.on("ready", () => {
        // After a reconnect, make sure every channel we still need is subscribed
        // (ioredis re-subscribes what it knows; this covers SUBSCRIBEs that
        // failed while the connection was down). Redis ignores duplicates.
        if (connectedOnce && channels.size > 0) {
          subscriber?.subscribe(...[...channels.keys()].map((c) => prefix + c)).catch(() => {});
        }
        connectedOnce = true;
      });
    }
    return subscriber;
  };

  const subscribeChannel = (name: string): Channel => {
    let entry = channels.get(name);
    if (!entry) {
      const ready = sub()
        .subscribe(prefix + name)
        .then(
          () => {},
          (err: Error) => log.warning("event subscribe failed", { channel: name, error: err.message }),
        );
      entry = { listeners: new Set(), ready };
      channels.set(name, entry);
    }
    return entry;
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
      const names = [...new Set(channelNames)];
      const waits: Promise<void>[] = [];
      if (!closed) {
        for (const name of names) {
          const entry = subscribeChannel(name);
          if (!entry.listeners.has(listener)) {
            entry.listeners.add(listener);
            listenerTotal++;
          }
          waits.push(entry.ready);
        }
      }
      let done = closed;
      const unsubscribe = () => {
        if (done) return;
        done = true;
        const gone: string[] = [];
        for (const name of names) {
          const entry = channels.get(name);
          if (!entry || !entry.listeners.delete(listener)) continue;
          listenerTotal--;
          if (entry.listeners.size === 0) {
            channels.delete(name);
            gone.push(prefix + name);
          }
        }
        // One UNSUBSCRIBE for all channels this listener was the last one on.
        if (gone.length > 0 && subscriber) subscriber.unsubscribe(...gone).catch(() => {});
      };
      return Object.assign(unsubscribe, { ready: Promise.all(waits).then(() => {}) });
    },
    listenerCount() {
      return listenerTotal;
    },
    async close() {
      closed = true;
      channels.clear();
      listenerTotal = 0;
      if (subscriber) {
        subscriber.disconnect();
        subscriber = null;
      }
    },
  };
}
