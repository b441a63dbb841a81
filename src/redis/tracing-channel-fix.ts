// Bun 1.4 ships diagnostics_channel's TracingChannel without the
// `hasSubscribers` getter that Node has. ioredis 6 decides per command whether
// to trace with `channel.hasSubscribers !== false`, so under Bun every command
// was traced: a context object with regex-sanitised arguments and a wrapping
// promise, about a tenth of the server's CPU under load (bench/, issue 8).
// Node's definition: a tracing channel has subscribers when any of its five
// sub-channels has one. Installed once, before the first Redis command.
import dc from "node:diagnostics_channel";

const SUB_CHANNELS = ["start", "end", "asyncStart", "asyncEnd", "error"] as const;

export function installTracingChannelFix(): void {
  const proto = Object.getPrototypeOf(dc.tracingChannel("beadhub:probe")) as object;
  if (Object.getOwnPropertyDescriptor(proto, "hasSubscribers")) return; // Node, or a fixed Bun
  Object.defineProperty(proto, "hasSubscribers", {
    configurable: true,
    get(this: Record<(typeof SUB_CHANNELS)[number], { hasSubscribers: boolean }>) {
      return SUB_CHANNELS.some((name) => this[name]?.hasSubscribers === true);
    },
  });
}
