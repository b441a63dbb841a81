// Listening and graceful shutdown. On SIGTERM/SIGINT: stop accepting, end
// streams, let in-flight requests finish (bounded by shutdownGraceSeconds), then
// close Postgres and Redis.
import type { Server } from "bun";
import { createApp, type AppHandle } from "./app";
import type { Config } from "./config";
import type { Logger } from "./log";

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
  // and the kernel splits traffic between them (STACK-NOTES).
  app.listen({
    hostname: config.host,
    port: config.port,
    reusePort: false,
    maxRequestBodySize: config.maxBodyBytes,
    idleTimeout: 0,
  });
  const server = app.server!;
  const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${server.port}`;
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log.info("shutting down", { grace_seconds: config.shutdownGraceSeconds });
      handle.shutdown.abort();
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
