// Process-level guards for two postgres.js 3.4.9 races that otherwise end the
// server during a Postgres restart (found by test/faults.test.ts):
// - nextWrite() runs from a setImmediate after the connection closed and
//   throws "socket.write" on null, an uncaught exception (porsager/postgres
//   #1066, #1154, #1208; fixes open upstream). The query was already rejected
//   with CONNECTION_CLOSED, so nothing is lost by surviving it.
// - a connection's stale error can also escape as an unhandled rejection
//   (porsager/postgres#1223).
// Anything else uncaught is logged and still ends the process, as before.
import type { Logger } from "../log";

/** The nextWrite-on-a-closed-socket TypeError of postgres.js. */
export function isDriverWriteRace(err: unknown): boolean {
  if (!(err instanceof TypeError)) return false;
  return /\bnextWrite\b/.test(err.stack ?? "") && /write/.test(err.message);
}

/** A database error nobody awaited (Postgres or connection level). */
export function isDriverRejection(reason: unknown): boolean {
  const e = reason as { name?: unknown; code?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (e.name === "PostgresError") return true;
  return ["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT", "ECONNREFUSED", "ECONNRESET"].includes(String(e.code));
}

export function installDriverGuards(log: Logger): void {
  process.on("uncaughtException", (err) => {
    if (isDriverWriteRace(err)) {
      log.warning("postgres driver race survived (write on a closed connection)", { error: err.message });
      return;
    }
    log.error("uncaught exception", { error: String(err), stack: err instanceof Error ? err.stack : undefined });
    process.exit(1);
  });
  process.on("unhandledRejection", (reason) => {
    if (isDriverRejection(reason)) {
      log.warning("postgres driver error nobody awaited", { error: String((reason as Error).message ?? reason) });
      return;
    }
    log.error("unhandled rejection", { error: String(reason), stack: reason instanceof Error ? reason.stack : undefined });
    process.exit(1);
  });
}
