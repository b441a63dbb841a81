// The in-process Redis (embedded mode) must answer exactly like ioredis on a
// real server for every call the codebase makes: the same assertions run
// against both implementations.
import { afterAll, describe, expect, test } from "bun:test";
import type Redis from "ioredis";
import { createRedisBus } from "../src/events/bus";
import { silentLogger } from "../src/log";
import { hgetallMany, openRedis } from "../src/redis/client";
import { createMemoryRedis, globToRegExp } from "../src/redis/memory";
import { REDIS_URL, deleteRedisPrefix } from "./support/harness";

const run = `mr:${process.pid}:${Date.now().toString(36)}`;
let n = 0;

interface Impl {
  name: string;
  /** A fresh connection whose keys live under a prefix of their own. */
  open(): Promise<Redis>;
}

const opened: Redis[] = [];
const impls: Impl[] = [
  {
    name: "ioredis",
    async open() {
      const r = await openRedis(REDIS_URL, { keyPrefix: `${run}:${++n}:` });
      opened.push(r);
      return r;
    },
  },
  {
    name: "memory",
    async open() {
      const r = createMemoryRedis({ keyPrefix: `${run}:${++n}:` });
      opened.push(r);
      return r;
    },
  },
];

afterAll(async () => {
  for (const r of opened) r.disconnect();
  await deleteRedisPrefix(run + ":");
});

const sorted = (xs: string[]) => [...xs].sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const impl of impls) {
  describe(`redis (${impl.name})`, () => {
    test("strings: get/set/NX/EX/GET, incr, del, exists", async () => {
      const r = await impl.open();
      expect(await r.get("s")).toBeNull();
      expect(await r.set("s", "v")).toBe("OK");
      expect(await r.get("s")).toBe("v");
      expect(await r.set("s", "w", "NX")).toBeNull();
      expect(await r.set("s", "w", "XX")).toBe("OK");
      expect(await r.set("s", "x", "GET")).toBe("w");
      expect(await r.set("n", "1", "EX", 100)).toBe("OK");
      expect(await r.ttl("n")).toBe(100);
      expect(await r.incr("n")).toBe(2);
      expect(await r.ttl("n")).toBe(100); // INCR keeps the TTL
      expect(await r.incr("fresh")).toBe(1);
      await expect(r.incr("s")).rejects.toThrow("not an integer");
      expect(await r.exists("s", "n", "nope")).toBe(2);
      expect(await r.del("s", "n", "nope")).toBe(2);
      expect(await r.get("s")).toBeNull();
    });

    test("TTL: expire NX/XX, ttl -1/-2, real expiry", async () => {
      const r = await impl.open();
      expect(await r.ttl("k")).toBe(-2);
      expect(await r.expire("k", 10)).toBe(0);
      await r.set("k", "v");
      expect(await r.ttl("k")).toBe(-1);
      expect(await r.expire("k", 10, "XX")).toBe(0);
      expect(await r.expire("k", 10, "NX")).toBe(1);
      expect(await r.expire("k", 20, "NX")).toBe(0);
      expect(await r.ttl("k")).toBe(10);
      expect(await r.expire("k", 30, "XX")).toBe(1);
      expect(await r.ttl("k")).toBe(30);
      expect(await r.set("short", "v", "PX", 120)).toBe("OK");
      await r.hset("h", { a: "1" });
      await r.expire("h", 1);
      expect(await r.exists("short")).toBe(1);
      await sleep(1150);
      expect(await r.get("short")).toBeNull();
      expect(await r.hgetall("h")).toEqual({});
      expect(await r.ttl("h")).toBe(-2);
      expect(await r.expire("k", 0)).toBe(1); // non-positive TTL deletes
      expect(await r.exists("k")).toBe(0);
    });

    test("hashes", async () => {
      const r = await impl.open();
      expect(await r.hgetall("h")).toEqual({});
      expect(await r.hset("h", { a: "1", b: 2 })).toBe(2);
      expect(await r.hset("h", "b", "3", "c", "4")).toBe(1);
      expect(await r.hgetall("h")).toEqual({ a: "1", b: "3", c: "4" });
      expect(await r.hget("h", "b")).toBe("3");
      expect(await r.hget("h", "zz")).toBeNull();
      expect(await r.hdel("h", "a", "zz")).toBe(1);
      expect(await r.hincrby("h", "c", 5)).toBe(9);
      await r.set("str", "x");
      await expect(r.hgetall("str")).rejects.toThrow("WRONGTYPE");
    });

    test("hgetallMany: every key's hash in order, {} when missing, under the key prefix", async () => {
      const r = await impl.open();
      await r.hset("m1", { a: "1", b: "2" });
      await r.hset("m3", { c: "3", "odd/é": 'a/b ü 😀 "q"\n\t\\' });
      expect(await hgetallMany(r, [])).toEqual([]);
      expect(await hgetallMany(r, ["m1", "m2", "m3"])).toEqual([{ a: "1", b: "2" }, {}, await r.hgetall("m3")]);
      expect((await hgetallMany(r, ["m3"]))[0]).toEqual({ c: "3", "odd/é": 'a/b ü 😀 "q"\n\t\\' });
      // the prefix applies: a second connection with another prefix sees nothing
      const other = await impl.open();
      expect(await hgetallMany(other, ["m1"])).toEqual([{}]);
      await r.set("str", "x");
      await expect(hgetallMany(r, ["m1", "str"])).rejects.toThrow("WRONGTYPE");
    });

    test("sets", async () => {
      const r = await impl.open();
      expect(await r.smembers("s")).toEqual([]);
      expect(await r.sadd("s", "a", "b")).toBe(2);
      expect(await r.sadd("s", ["b", "c"])).toBe(1);
      expect(sorted(await r.smembers("s"))).toEqual(["a", "b", "c"]);
      expect(await r.sismember("s", "a")).toBe(1);
      expect(await r.scard("s")).toBe(3);
      expect(await r.srem("s", "a", "zz")).toBe(1);
      expect(await r.srem("s", "b", "c")).toBe(2);
      expect(await r.exists("s")).toBe(0); // an emptied set is gone
    });

    test("sorted sets", async () => {
      const r = await impl.open();
      expect(await r.zadd("z", 3, "c", 1, "a", 2, "b")).toBe(3);
      expect(await r.zadd("z", 5, "a")).toBe(0);
      expect(await r.zadd("z", "GT", 4, "a")).toBe(0);
      expect(await r.zscore("z", "a")).toBe("5");
      expect(await r.zadd("z", 2.5, "d")).toBe(1);
      expect(await r.zcard("z")).toBe(4);
      expect(await r.zrangebyscore("z", "-inf", "+inf")).toEqual(["b", "d", "c", "a"]);
      expect(await r.zrangebyscore("z", 2, 3, "WITHSCORES")).toEqual(["b", "2", "d", "2.5", "c", "3"]);
      expect(await r.zrangebyscore("z", "(2", "3")).toEqual(["d", "c"]);
      expect(await r.zrangebyscore("z", "-inf", "+inf", "LIMIT", 1, 2)).toEqual(["d", "c"]);
      expect(await r.zrange("z", "0", "-1")).toEqual(["b", "d", "c", "a"]);
      expect(await r.zscore("z", "nope")).toBeNull();
      expect(await r.zrem("z", "d", "nope")).toBe(1);
      expect(await r.zremrangebyscore("z", "-inf", 3)).toBe(2);
      expect(await r.zrangebyscore("z", "-inf", "+inf")).toEqual(["a"]);
      expect(await r.zrangebyscore("missing", "-inf", "+inf")).toEqual([]);
      expect(await r.zcard("missing")).toBe(0);
    });

    test("multi and pipeline exec return [[err, result], ...]", async () => {
      const r = await impl.open();
      const results = await r.multi().incr("rl").expire("rl", 60, "NX").ttl("rl").exec();
      expect(results).toEqual([
        [null, 1],
        [null, 1],
        [null, 60],
      ]);
      const again = await r.multi().incr("rl").expire("rl", 60, "NX").ttl("rl").exec();
      expect(again).toEqual([
        [null, 2],
        [null, 0],
        [null, 60],
      ]);
      const m = r.multi();
      m.hset("p", { status: "active" }).expire("p", 30);
      m.sadd("idx", "w1").expire("idx", 60);
      m.set("alias", "w1", "EX", 60);
      expect(await m.exec()).toEqual([
        [null, 1],
        [null, 1],
        [null, 1],
        [null, 1],
        [null, "OK"],
      ]);
      const p = r.pipeline();
      p.hgetall("p").hgetall("nope").smembers("idx").get("alias");
      expect(await p.exec()).toEqual([
        [null, { status: "active" }],
        [null, {}],
        [null, ["w1"]],
        [null, "w1"],
      ]);
      await r.set("str", "x");
      const mixed = (await r.pipeline().incr("str").get("str").exec())!;
      expect(mixed[0][0]).toBeInstanceOf(Error);
      expect(mixed[1]).toEqual([null, "x"]);
      const [[, removed]] = (await r.multi().del("p").srem("idx", "w1").exec()) as [Error | null, number][];
      expect(removed).toBe(1);
    });

    test("keyPrefix applies to keys, not to SCAN patterns (which see full names)", async () => {
      const r = await impl.open();
      const prefix = r.options.keyPrefix as string;
      await r.set("a:1", "x");
      await r.sadd("a:2", "m");
      await r.set("b:1", "y");
      const [cursor, found] = await r.scan("0", "MATCH", prefix + "a:*", "COUNT", 1000);
      expect(cursor).toBe("0"); // small keyspace: one pass on a real server too
      expect(sorted(found)).toEqual([prefix + "a:1", prefix + "a:2"]);
      const raw = r.duplicate({ keyPrefix: undefined, enableOfflineQueue: true });
      opened.push(raw);
      expect(await raw.get(prefix + "b:1")).toBe("y");
      expect(await r.ping()).toBe("PONG");
    });

    test("pub/sub through the event bus (duplicate() shares the hub)", async () => {
      const r = await impl.open();
      const bus = createRedisBus(r, silentLogger);
      const got: string[] = [];
      const other: string[] = [];
      const off = bus.subscribe(["chan:a"], (m) => got.push(m));
      const offOther = bus.subscribe(["chan:b"], (m) => other.push(m));
      expect(bus.listenerCount()).toBe(2);
      await sleep(50); // a real server confirms the SUBSCRIBE asynchronously
      await bus.publish("chan:a", "one");
      await bus.publish("chan:a", "two");
      await bus.publish("chan:b", "three");
      for (let i = 0; i < 50 && (got.length < 2 || other.length < 1); i++) await sleep(10);
      expect(got).toEqual(["one", "two"]);
      expect(other).toEqual(["three"]);
      off();
      offOther();
      expect(bus.listenerCount()).toBe(0);
      await sleep(50);
      await bus.publish("chan:a", "after");
      await sleep(50);
      expect(got).toEqual(["one", "two"]);
      await bus.close();
    });

    test("publish counts subscribers; the channel is not key-prefixed", async () => {
      const r = await impl.open();
      const sub = r.duplicate({ keyPrefix: undefined, enableOfflineQueue: true });
      opened.push(sub);
      const seen: [string, string][] = [];
      sub.on("message", (ch: string, msg: string) => seen.push([ch, msg]));
      const channel = `${run}:raw:${impl.name}`;
      expect(await sub.subscribe(channel)).toBe(1);
      expect(await r.publish(channel, "hi")).toBe(1);
      for (let i = 0; i < 50 && seen.length < 1; i++) await sleep(10);
      expect(seen).toEqual([[channel, "hi"]]);
      expect(await r.call("PUBSUB", "NUMSUB", channel, `${channel}:none`)).toEqual([channel, 1, `${channel}:none`, 0]);
      expect(await r.call("pubsub", "channels", `${channel}*`)).toEqual([channel]);
      await sub.unsubscribe(channel);
      expect(await r.publish(channel, "gone")).toBe(0);
      expect(await r.call("PUBSUB", "NUMSUB", channel)).toEqual([channel, 0]);
    });
  });
}

describe("memory redis specifics", () => {
  test("the periodic sweep drops expired keys nobody reads", async () => {
    const r = createMemoryRedis();
    await r.set("k", "v", "PX", 50);
    await sleep(1100);
    const [, keys] = await r.scan("0");
    expect(keys).toEqual([]);
    r.disconnect();
  });

  test("separate factories do not share data; duplicates do", async () => {
    const a = createMemoryRedis();
    const b = createMemoryRedis();
    await a.set("k", "a");
    expect(await b.get("k")).toBeNull();
    expect(await a.duplicate().get("k")).toBe("a");
    a.disconnect();
    b.disconnect();
    await expect(a.get("k")).rejects.toThrow("Connection is closed");
  });

  test("glob patterns follow Redis rules", () => {
    expect(globToRegExp("a*").test("abc")).toBe(true);
    expect(globToRegExp("a?c").test("abc")).toBe(true);
    expect(globToRegExp("a[bx]c").test("axc")).toBe(true);
    expect(globToRegExp("a[^b]c").test("abc")).toBe(false);
    expect(globToRegExp("a\\*").test("a*")).toBe(true);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
  });
});
