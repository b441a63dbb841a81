// Data model of the in-process Redis (src/redis/memory.ts): typed values with
// optional expiry, checked lazily on every access and swept once a second
// while a connection is open, plus the pub/sub hub. Helpers parse arguments
// the way Redis does (integers, float scores, inf bounds, glob patterns).
export type Value = string | Map<string, string> | Set<string> | ZSet;
export type ZSet = { z: Map<string, number> };
export interface Entry {
  value: Value;
  /** Epoch ms; absent = no TTL. */
  expiresAt?: number;
}
export type Args = string[];
/** Which arguments are keys: the first, all of them, none, or a count then that many (EVAL-style). */
export type KeySpec = "first" | "all" | "none" | "numkeys";
export interface Command {
  keys: KeySpec;
  run(store: Store, args: Args): unknown;
}

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const NOT_INT = "ERR value is not an integer or out of range";
export const NOT_FLOAT = "ERR value is not a valid float";

/** A connection as the pub/sub hub sees it. */
export interface Subscriber {
  emit(event: "message", channel: string, message: string): boolean;
}

export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplyError";
  }
}

/** The "server": data, expiry and the pub/sub hub shared by duplicate() connections. */
export class Store {
  readonly data = new Map<string, Entry>();
  /** channel → connections subscribed to it (they receive "message" events). */
  readonly subscribers = new Map<string, Set<Subscriber>>();
  private clients = 0;
  private sweeper: ReturnType<typeof setInterval> | null = null;

  attach(): void {
    if (this.clients++ === 0) {
      this.sweeper = setInterval(() => this.sweep(), 1000);
      this.sweeper.unref?.();
    }
  }

  detach(): void {
    if (--this.clients === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  sweep(now = Date.now()): void {
    for (const [key, entry] of this.data) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.data.delete(key);
    }
  }

  entry(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e?.expiresAt !== undefined && e.expiresAt <= Date.now()) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }

  /** The value if it has the expected kind; throws WRONGTYPE otherwise. */
  read<T extends Value>(key: string, is: (v: Value) => v is T): T | undefined {
    const e = this.entry(key);
    if (!e) return undefined;
    if (!is(e.value)) throw new ReplyError(WRONGTYPE);
    return e.value;
  }

  /** The value, created empty (keeping no TTL) when the key is missing. */
  write<T extends Value>(key: string, is: (v: Value) => v is T, make: () => T): T {
    const found = this.read(key, is);
    if (found) return found;
    const value = make();
    this.data.set(key, { value });
    return value;
  }

  /** Containers never stay empty (Redis deletes them). */
  dropIfEmpty(key: string, v: Map<string, string> | Set<string> | ZSet): void {
    if (("z" in v ? v.z.size : v.size) === 0) this.data.delete(key);
  }
}

export const isString = (v: Value): v is string => typeof v === "string";
export const isHash = (v: Value): v is Map<string, string> => v instanceof Map;
export const isSet = (v: Value): v is Set<string> => v instanceof Set;
export const isZSet = (v: Value): v is ZSet => typeof v === "object" && "z" in v;

export function int(s: string): number {
  if (!/^-?\d+$/.test(s)) throw new ReplyError(NOT_INT);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new ReplyError(NOT_INT);
  return n;
}

export function score(s: string): number {
  const l = s.toLowerCase();
  if (l === "inf" || l === "+inf") return Infinity;
  if (l === "-inf") return -Infinity;
  const n = Number(s);
  if (s.trim() === "" || Number.isNaN(n)) throw new ReplyError(NOT_FLOAT);
  return n;
}

export const formatScore = (n: number) => (n === Infinity ? "inf" : n === -Infinity ? "-inf" : String(n));

/** "(1" = exclusive, "-inf"/"+inf" open ends (ZRANGEBYSCORE min/max). */
export function bound(s: string): (n: number, isMin: boolean) => boolean {
  const exclusive = s.startsWith("(");
  const v = score(exclusive ? s.slice(1) : s);
  return (n, isMin) => (isMin ? (exclusive ? n > v : n >= v) : exclusive ? n < v : n <= v);
}

export function sortedZ(z: ZSet): [string, number][] {
  return [...z.z].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function inRange(z: ZSet, min: string, max: string): [string, number][] {
  const lo = bound(min);
  const hi = bound(max);
  return sortedZ(z).filter(([, s]) => lo(s, true) && hi(s, false));
}

export function withScores(items: [string, number][], on: boolean): string[] {
  return on ? items.flatMap(([m, s]) => [m, formatScore(s)]) : items.map(([m]) => m);
}

/** Redis glob (* ? [abc] [^a-z] \x) as a RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === "\\" && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end === -1) re += "\\[";
      else {
        let body = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
        if (body.startsWith("^")) body = "^" + body.slice(1).replace(/\^/g, "\\^");
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
