// The Redis commands the in-process implementation understands, each a
// synchronous function over the store returning what ioredis would return
// (integer replies as numbers, bulk replies as strings or null, hgetall as an
// object). Errors carry Redis' own messages (WRONGTYPE, not an integer, ...).
import {
  ReplyError,
  WRONGTYPE,
  formatScore,
  globToRegExp,
  inRange,
  int,
  isHash,
  isSet,
  isString,
  isZSet,
  score,
  sortedZ,
  withScores,
  type Args,
  type Command,
  type Entry,
  type Store,
  type Value,
} from "./memory-store";

function setExpiry(e: Entry, ms: number, mode: string | undefined): number {
  const at = Date.now() + ms;
  const cur = e.expiresAt;
  const m = mode?.toUpperCase();
  if (m === "NX" && cur !== undefined) return 0;
  if (m === "XX" && cur === undefined) return 0;
  if (m === "GT" && (cur === undefined || at <= cur)) return 0;
  if (m === "LT" && cur !== undefined && at >= cur) return 0;
  e.expiresAt = at;
  return 1;
}

function expire(store: Store, key: string, ms: number, mode?: string): number {
  const e = store.entry(key);
  if (!e) return 0;
  const r = setExpiry(e, ms, mode);
  if (r === 1 && ms <= 0) store.data.delete(key);
  return r;
}

function ttl(store: Store, key: string, unitMs: number): number {
  const e = store.entry(key);
  if (!e) return -2;
  if (e.expiresAt === undefined) return -1;
  return Math.round((e.expiresAt - Date.now()) / unitMs);
}

function incrBy(store: Store, key: string, by: number): number {
  const e = store.entry(key);
  if (e && !isString(e.value)) throw new ReplyError(WRONGTYPE);
  const n = (e ? int(e.value as string) : 0) + by;
  if (!Number.isSafeInteger(n)) throw new ReplyError("ERR increment or decrement would overflow");
  if (e) e.value = String(n);
  else store.data.set(key, { value: String(n) });
  return n;
}

function set(store: Store, [key, value, ...opts]: Args): string | null {
  let ms: number | undefined;
  let nx = false, xx = false, get = false, keepTtl = false;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i].toUpperCase();
    if (o === "EX" || o === "PX") {
      const n = int(opts[++i] ?? "");
      if (n <= 0) throw new ReplyError("ERR invalid expire time in 'set' command");
      ms = o === "EX" ? n * 1000 : n;
    } else if (o === "NX") nx = true;
    else if (o === "XX") xx = true;
    else if (o === "GET") get = true;
    else if (o === "KEEPTTL") keepTtl = true;
    else throw new ReplyError("ERR syntax error");
  }
  const old = store.entry(key);
  if (get && old && !isString(old.value)) throw new ReplyError(WRONGTYPE);
  const previous = get ? ((old?.value as string | undefined) ?? null) : "OK";
  if ((nx && old) || (xx && !old)) return get ? previous : null;
  const expiresAt = ms !== undefined ? Date.now() + ms : keepTtl ? old?.expiresAt : undefined;
  store.data.set(key, expiresAt === undefined ? { value } : { value, expiresAt });
  return previous;
}

function zadd(store: Store, [key, ...rest]: Args): number | string | null {
  const flags = new Set<string>();
  while (rest.length && ["NX", "XX", "GT", "LT", "CH", "INCR"].includes(rest[0].toUpperCase())) {
    flags.add(rest.shift()!.toUpperCase());
  }
  if (rest.length === 0 || rest.length % 2 !== 0) throw new ReplyError("ERR syntax error");
  const pairs: [number, string][] = [];
  for (let i = 0; i < rest.length; i += 2) pairs.push([score(rest[i]), rest[i + 1]]);
  const z = store.write(key, isZSet, () => ({ z: new Map() }));
  let added = 0, changed = 0;
  let last: number | null = null;
  for (const [s, member] of pairs) {
    const cur = z.z.get(member);
    const next = flags.has("INCR") ? (cur ?? 0) + s : s;
    if ((flags.has("NX") && cur !== undefined) || (flags.has("XX") && cur === undefined)) continue;
    if (cur !== undefined && ((flags.has("GT") && next <= cur) || (flags.has("LT") && next >= cur))) continue;
    if (cur === undefined) added++;
    else if (cur !== next) changed++;
    z.z.set(member, next);
    last = next;
  }
  store.dropIfEmpty(key, z);
  if (flags.has("INCR")) return last === null ? null : formatScore(last);
  return flags.has("CH") ? added + changed : added;
}

function zrangebyscore(store: Store, [key, min, max, ...opts]: Args): string[] {
  const z = store.read(key, isZSet);
  if (!z) return [];
  let scores = false, offset = 0, count = -1;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i].toUpperCase();
    if (o === "WITHSCORES") scores = true;
    else if (o === "LIMIT") {
      offset = int(opts[++i] ?? "");
      count = int(opts[++i] ?? "");
    } else throw new ReplyError("ERR syntax error");
  }
  let items = inRange(z, min, max);
  items = offset < 0 ? [] : items.slice(offset, count < 0 ? undefined : offset + count);
  return withScores(items, scores);
}

function scan(store: Store, [, ...opts]: Args): [string, string[]] {
  let match: RegExp | null = null;
  let type: string | null = null;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i].toUpperCase();
    if (o === "MATCH") match = globToRegExp(opts[++i] ?? "*");
    else if (o === "COUNT") int(opts[++i] ?? "");
    else if (o === "TYPE") type = (opts[++i] ?? "").toLowerCase();
    else throw new ReplyError("ERR syntax error");
  }
  // One pass returns everything: the cursor is always "0" (callers loop until "0").
  const found = [...store.data.keys()].filter((k) => {
    const e = store.entry(k);
    return e && (!match || match.test(k)) && (!type || typeOf(e.value) === type);
  });
  return ["0", found];
}

function typeOf(v: Value): string {
  return isString(v) ? "string" : isHash(v) ? "hash" : isSet(v) ? "set" : "zset";
}

const hash = (s: Store, k: string) => s.read(k, isHash);
const sset = (s: Store, k: string) => s.read(k, isSet);
const zset = (s: Store, k: string) => s.read(k, isZSet);

export const COMMANDS: Record<string, Command> = {
  ping: { keys: "none", run: (_s, [m]) => m ?? "PONG" },
  echo: { keys: "none", run: (_s, [m]) => m },
  get: { keys: "first", run: (s, [k]) => s.read(k, isString) ?? null },
  set: { keys: "first", run: set },
  getdel: {
    keys: "first",
    run: (s, [k]) => {
      const v = s.read(k, isString) ?? null;
      s.data.delete(k);
      return v;
    },
  },
  mget: { keys: "all", run: (s, ks) => ks.map((k) => s.entry(k)?.value).map((v) => (typeof v === "string" ? v : null)) },
  del: { keys: "all", run: (s, ks) => ks.filter((k) => s.entry(k) && s.data.delete(k)).length },
  unlink: { keys: "all", run: (s, ks) => ks.filter((k) => s.entry(k) && s.data.delete(k)).length },
  exists: { keys: "all", run: (s, ks) => ks.filter((k) => s.entry(k)).length },
  type: { keys: "first", run: (s, [k]) => (s.entry(k) ? typeOf(s.entry(k)!.value) : "none") },
  incr: { keys: "first", run: (s, [k]) => incrBy(s, k, 1) },
  decr: { keys: "first", run: (s, [k]) => incrBy(s, k, -1) },
  incrby: { keys: "first", run: (s, [k, by]) => incrBy(s, k, int(by)) },
  decrby: { keys: "first", run: (s, [k, by]) => incrBy(s, k, -int(by)) },
  expire: { keys: "first", run: (s, [k, sec, mode]) => expire(s, k, int(sec) * 1000, mode) },
  pexpire: { keys: "first", run: (s, [k, ms, mode]) => expire(s, k, int(ms), mode) },
  ttl: { keys: "first", run: (s, [k]) => ttl(s, k, 1000) },
  pttl: { keys: "first", run: (s, [k]) => ttl(s, k, 1) },
  persist: {
    keys: "first",
    run: (s, [k]) => {
      const e = s.entry(k);
      if (!e || e.expiresAt === undefined) return 0;
      delete e.expiresAt;
      return 1;
    },
  },
  hset: {
    keys: "first",
    run: (s, [k, ...fv]) => {
      if (fv.length === 0 || fv.length % 2 !== 0) throw new ReplyError("ERR wrong number of arguments for 'hset' command");
      const h = s.write(k, isHash, () => new Map());
      let added = 0;
      for (let i = 0; i < fv.length; i += 2) {
        if (!h.has(fv[i])) added++;
        h.set(fv[i], fv[i + 1]);
      }
      return added;
    },
  },
  hget: { keys: "first", run: (s, [k, f]) => hash(s, k)?.get(f) ?? null },
  hmget: { keys: "first", run: (s, [k, ...fs]) => fs.map((f) => hash(s, k)?.get(f) ?? null) },
  hgetall: { keys: "first", run: (s, [k]) => Object.fromEntries(hash(s, k) ?? []) },
  // The custom command of src/redis/client.ts (a Lua script on a real server).
  hgetallmany: {
    keys: "numkeys",
    run: (s, [n, ...ks]) => JSON.stringify(ks.slice(0, int(n)).map((k) => [...(hash(s, k) ?? [])].flat())),
  },
  hexists: { keys: "first", run: (s, [k, f]) => (hash(s, k)?.has(f) ? 1 : 0) },
  hlen: { keys: "first", run: (s, [k]) => hash(s, k)?.size ?? 0 },
  hdel: {
    keys: "first",
    run: (s, [k, ...fs]) => {
      const h = hash(s, k);
      if (!h) return 0;
      const n = fs.filter((f) => h.delete(f)).length;
      s.dropIfEmpty(k, h);
      return n;
    },
  },
  hincrby: {
    keys: "first",
    run: (s, [k, f, by]) => {
      const h = s.write(k, isHash, () => new Map());
      const n = int(h.get(f) ?? "0") + int(by);
      h.set(f, String(n));
      return n;
    },
  },
  sadd: {
    keys: "first",
    run: (s, [k, ...ms]) => {
      const set = s.write(k, isSet, () => new Set());
      return ms.filter((m) => !set.has(m) && set.add(m)).length;
    },
  },
  srem: {
    keys: "first",
    run: (s, [k, ...ms]) => {
      const set = sset(s, k);
      if (!set) return 0;
      const n = ms.filter((m) => set.delete(m)).length;
      s.dropIfEmpty(k, set);
      return n;
    },
  },
  smembers: { keys: "first", run: (s, [k]) => [...(sset(s, k) ?? [])] },
  sismember: { keys: "first", run: (s, [k, m]) => (sset(s, k)?.has(m) ? 1 : 0) },
  scard: { keys: "first", run: (s, [k]) => sset(s, k)?.size ?? 0 },
  zadd: { keys: "first", run: zadd },
  zincrby: { keys: "first", run: (s, [k, by, m]) => zadd(s, [k, "INCR", by, m]) },
  zrangebyscore: { keys: "first", run: zrangebyscore },
  zrange: {
    keys: "first",
    run: (s, [k, start, stop, opt]) => {
      const items = sortedZ(zset(s, k) ?? { z: new Map() });
      const n = items.length;
      let a = int(start), b = int(stop);
      if (a < 0) a = Math.max(0, n + a);
      if (b < 0) b = n + b;
      return withScores(items.slice(a, b + 1), opt?.toUpperCase() === "WITHSCORES");
    },
  },
  zcount: { keys: "first", run: (s, [k, min, max]) => { const z = zset(s, k); return z ? inRange(z, min, max).length : 0; } },
  zremrangebyscore: {
    keys: "first",
    run: (s, [k, min, max]) => {
      const z = zset(s, k);
      if (!z) return 0;
      const gone = inRange(z, min, max);
      for (const [m] of gone) z.z.delete(m);
      s.dropIfEmpty(k, z);
      return gone.length;
    },
  },
  zrem: {
    keys: "first",
    run: (s, [k, ...ms]) => {
      const z = zset(s, k);
      if (!z) return 0;
      const n = ms.filter((m) => z.z.delete(m)).length;
      s.dropIfEmpty(k, z);
      return n;
    },
  },
  zcard: { keys: "first", run: (s, [k]) => zset(s, k)?.z.size ?? 0 },
  zscore: { keys: "first", run: (s, [k, m]) => { const v = zset(s, k)?.z.get(m); return v === undefined ? null : formatScore(v); } },
  scan: { keys: "none", run: scan },
  keys: { keys: "none", run: (s, [p]) => scan(s, ["0", "MATCH", p])[1] },
  dbsize: { keys: "none", run: (s) => scan(s, ["0"])[1].length },
  flushdb: { keys: "none", run: (s) => (s.data.clear(), "OK") },
  flushall: { keys: "none", run: (s) => (s.data.clear(), "OK") },
  pubsub: {
    keys: "none",
    run: (s, [sub, ...rest]) => {
      const count = (ch: string) => s.subscribers.get(ch)?.size ?? 0;
      switch (sub?.toUpperCase()) {
        case "NUMSUB":
          return rest.flatMap((ch) => [ch, count(ch)]);
        case "CHANNELS": {
          const match = rest[0] ? globToRegExp(rest[0]) : null;
          return [...s.subscribers.keys()].filter((ch) => count(ch) > 0 && (!match || match.test(ch)));
        }
        case "NUMPAT":
          return 0;
        default:
          throw new ReplyError(`ERR unknown subcommand '${sub}'`);
      }
    },
  },
  publish: {
    keys: "none",
    run: (s, [channel, message]) => {
      const subs = [...(s.subscribers.get(channel) ?? [])];
      // Delivered after the publisher's await resumes, in order, like a real server.
      for (const c of subs) queueMicrotask(() => c.emit("message", channel, message));
      return subs.length;
    },
  },
};
