// ioredis 6 traces every command unless its diagnostics channel says nobody
// listens; Bun's TracingChannel lacked that answer, so every command paid for
// tracing (src/redis/tracing-channel-fix.ts). The fix must keep tracing
// available to a real subscriber.
import { afterAll, expect, test } from "bun:test";
import dc from "node:diagnostics_channel";
import { openRedis } from "../src/redis/client";
import { REDIS_URL, deleteRedisPrefix } from "./support/harness";

const prefix = `trace:${process.pid}:`;
const redis = await openRedis(REDIS_URL, { keyPrefix: prefix });
afterAll(async () => {
  redis.disconnect();
  await deleteRedisPrefix(prefix);
});

test("no subscriber: the ioredis command channel reports none, so commands are not traced", async () => {
  const channel = dc.tracingChannel("ioredis:command");
  expect(channel.hasSubscribers).toBe(false);
  expect(await redis.set("k", "v")).toBe("OK");
});

test("a subscriber still sees every command with its name", async () => {
  const channel = dc.tracingChannel("ioredis:command");
  const seen: string[] = [];
  const handlers = {
    start(ctx: unknown) {
      seen.push(String((ctx as { command?: string }).command));
    },
  };
  channel.subscribe(handlers);
  try {
    expect(channel.hasSubscribers).toBe(true);
    expect(await redis.get("k")).toBe("v");
  } finally {
    channel.unsubscribe(handlers);
  }
  expect(seen).toContain("get");
  expect(channel.hasSubscribers).toBe(false);
});
