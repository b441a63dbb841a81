// Listening and graceful shutdown. On SIGTERM/SIGINT: stop accepting, end
// streams, let in-flight requests finish (bounded by shutdownGraceSeconds), then
// close Postgres and Redis.
import type { Server } from "bun";
import { createApp, type AppHandle } from "./app";
import type { Config } from "./config";
import type { Logger } from "./log";

/** How long a draining server keeps answering on open connections before it stops listening. */
const DRAIN_QUIET_MS = 500;

export interface RunningServer {
  handle: AppHandle;
  server: Server<unknown>;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Readonly<Config>, log: Logger): Promise<RunningServer> {
  const handle = await createApp({ config, log });
  const { app } = handle;
  // reusePort off: otherwise a second server on the same port starts silently
  // and the kernel splits traffic between them (docs/platform.md#reuseport).
  app.listen({
    hostname: config.host,
    port: config.port,
    reusePort: false,
    maxRequestBodySize: config.maxBodyBytes,
    // Bounds the time to receive a request; handlers and event streams are
    // exempt (src/http/connection-guard.ts).
    idleTimeout: config.idleTimeoutSeconds,
  });
  const server = app.server!;
  const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${server.port}`;
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log.info("shutting down", { grace_seconds: config.shutdownGraceSeconds });
      handle.shutdown.abort();
      // Drain (issue 19, defect 9): for a moment keep answering on the open
      // connections, each answer with Connection: close (src/http/connection-guard.ts),
      // so no client sends its next request on a connection that is about to go.
      await Bun.sleep(Math.min(DRAIN_QUIET_MS, config.shutdownGraceSeconds * 1000));
      const drained = server.stop(false);
      const timer = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceSeconds * 1000));
      await Promise.race([drained, timer]);
      server.stop(true);
      await handle.close();
      log.info("stopped");
    })();
    return stopping;
  };
  return { handle, server, url, stop };
}
