// Capture the workspace events an action publishes, through the app's own bus.
import { channels } from "../../src/redis/keys";
import type { TestApp } from "./harness";

export async function until(check: () => Promise<boolean>, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await Bun.sleep(10);
  }
}

/**
 * Events published on a workspace's channel while `fn` runs (waits for the
 * subscription first, and afterwards for `atLeast` events, 2 s at most).
 */
export async function eventsDuring(t: TestApp, workspaceId: string, fn: () => Promise<unknown>, atLeast = 1): Promise<any[]> {
  const channel = channels.workspaceEvents(workspaceId);
  const got: any[] = [];
  const stop = t.handle.deps.bus.subscribe([channel], (m) => got.push(JSON.parse(m)));
  try {
    await until(async () => {
      const [, n] = (await t.redis.call("PUBSUB", "NUMSUB", t.prefix + channel)) as [string, number];
      return Number(n) > 0;
    });
    await fn();
    await until(async () => got.length >= atLeast).catch(() => {});
    return got;
  } finally {
    stop();
  }
}
