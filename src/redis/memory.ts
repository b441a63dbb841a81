// In-process stand-in for Redis, used in embedded mode (no Redis URL, issue 10).
// It implements the subset of the ioredis API this codebase calls, with the
// same reply shapes (integers as numbers, bulk replies as strings, hgetall as
// an object, multi/pipeline exec as [[err, result], ...]), real TTL expiry
// (checked on access and swept once a second), ioredis' keyPrefix rules (keys
// prefixed, channels and SCAN/KEYS patterns not), and pub/sub whose
// duplicate() connections share one hub. Single process only by design.
import { EventEmitter } from "node:events";
import type Redis from "ioredis";
import { COMMANDS } from "./memory-commands";
import { ReplyError, Store } from "./memory-store";

export { globToRegExp } from "./memory-store";

/** ioredis flattens arrays and turns hset/hmset objects into field, value pairs. */
function normalize(args: unknown[]): string[] {
  const out: string[] = [];
  const push = (a: unknown) => {
    if (Array.isArray(a)) a.forEach(push);
    else if (a instanceof Map) for (const [k, v] of a) out.push(String(k), String(v));
    else if (a !== null && typeof a === "object" && !Buffer.isBuffer(a)) {
      for (const [k, v] of Object.entries(a)) out.push(k, String(v));
    } else out.push(Buffer.isBuffer(a) ? a.toString() : String(a));
  };
  args.forEach(push);
  return out;
}

export interface MemoryRedisOptions {
  keyPrefix?: string;
  [option: string]: unknown;
}

type Queued = [name: string, args: unknown[]];

/** One "connection". Command methods are added to the prototype from COMMANDS. */
class MemoryRedis extends EventEmitter {
  status = "ready";
  readonly options: MemoryRedisOptions;
  private readonly channels = new Set<string>();

  constructor(
    private readonly store: Store,
    options: MemoryRedisOptions,
  ) {
    super();
    this.options = { ...options };
    store.attach();
    // ioredis announces its connection asynchronously; listeners added right after construction see it.
    queueMicrotask(() => {
      if (this.status === "ready") this.emit("ready");
    });
  }

  /** Runs one command synchronously (so MULTI is trivially atomic). */
  run(name: string, raw: unknown[]): unknown {
    if (this.status === "end") throw new Error("Connection is closed.");
    const cmd = COMMANDS[name];
    if (!cmd) throw new ReplyError(`ERR unknown command '${name}' (not in the in-process Redis)`);
    const args = normalize(raw);
    const prefix = this.options.keyPrefix ?? "";
    if (prefix && args.length > 0) {
      if (cmd.keys === "first") args[0] = prefix + args[0];
      else if (cmd.keys === "all") for (let i = 0; i < args.length; i++) args[i] = prefix + args[i];
      else if (cmd.keys === "numkeys") for (let i = 1; i <= Number(args[0]) && i < args.length; i++) args[i] = prefix + args[i];
    }
    return cmd.run(this.store, args);
  }

  /** ioredis' generic form: call("zadd", key, score, member). */
  call(command: string, ...args: unknown[]): Promise<unknown> {
    return this.dispatch(command.toLowerCase(), args);
  }

  dispatch(name: string, raw: unknown[]): Promise<unknown> {
    try {
      return Promise.resolve(this.run(name, raw));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  multi(): MemoryPipeline {
    return new MemoryPipeline(this);
  }

  pipeline(): MemoryPipeline {
    return new MemoryPipeline(this);
  }

  duplicate(override: MemoryRedisOptions = {}): MemoryRedis {
    return new MemoryRedis(this.store, { ...this.options, ...override });
  }

  async connect(): Promise<void> {}

  async subscribe(...raw: unknown[]): Promise<number> {
    if (this.status === "end") throw new Error("Connection is closed.");
    for (const ch of normalize(raw)) {
      this.channels.add(ch);
      let set = this.store.subscribers.get(ch);
      if (!set) this.store.subscribers.set(ch, (set = new Set()));
      set.add(this);
    }
    return this.channels.size;
  }

  async unsubscribe(...raw: unknown[]): Promise<number> {
    const names = raw.length ? normalize(raw) : [...this.channels];
    for (const ch of names) {
      this.channels.delete(ch);
      const set = this.store.subscribers.get(ch);
      set?.delete(this);
      if (set?.size === 0) this.store.subscribers.delete(ch);
    }
    return this.channels.size;
  }

  disconnect(): void {
    if (this.status === "end") return;
    void this.unsubscribe();
    this.status = "end";
    this.store.detach();
    this.emit("end");
  }

  async quit(): Promise<"OK"> {
    this.disconnect();
    return "OK";
  }
}

class MemoryPipeline {
  private readonly queue: Queued[] = [];
  constructor(private readonly client: MemoryRedis) {}

  add(name: string, args: unknown[]): this {
    this.queue.push([name, args]);
    return this;
  }

  get length(): number {
    return this.queue.length;
  }

  async exec(): Promise<[Error | null, unknown][]> {
    if (this.client.status === "end") throw new Error("Connection is closed.");
    return this.queue.map(([name, args]) => {
      try {
        return [null, this.client.run(name, args)];
      } catch (err) {
        return [err as Error, undefined];
      }
    });
  }
}

for (const name of Object.keys(COMMANDS)) {
  Object.defineProperty(MemoryRedis.prototype, name, {
    value(this: MemoryRedis, ...args: unknown[]) {
      return this.dispatch(name, args);
    },
  });
  Object.defineProperty(MemoryPipeline.prototype, name, {
    value(this: MemoryPipeline, ...args: unknown[]) {
      return this.add(name, args);
    },
  });
}

/** A fresh in-process "server" and its first connection, typed as ioredis. */
export function createMemoryRedis(options: MemoryRedisOptions = {}): Redis {
  return new MemoryRedis(new Store(), { ...options, keyPrefix: options.keyPrefix || undefined }) as unknown as Redis;
}

/** The command names the in-process Redis understands (tests check coverage). */
export const MEMORY_REDIS_COMMANDS: readonly string[] = Object.keys(COMMANDS);
