// Structured logging: one JSON object per line on stdout (or key=value text when
// BEADHUB_LOG_JSON=false). Callers pass fields, never secrets or message bodies.
import type { LogLevel } from "./config";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warning(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export function createLogger(
  level: LogLevel = "info",
  json = true,
  write: (line: string) => void = (line) => process.stdout.write(line + "\n"),
): Logger {
  const min = RANK[level];
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    const record = { ts: new Date().toISOString(), level: lvl, msg, ...fields };
    if (json) {
      write(JSON.stringify(record));
    } else {
      const rest = Object.entries(fields ?? {})
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      write(`${record.ts} ${lvl.toUpperCase()} ${msg}${rest ? " " + rest : ""}`);
    }
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warning: (m, f) => emit("warning", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

/** A logger that drops everything (tests that do not inspect logs). */
export const silentLogger: Logger = createLogger("error", true, () => {});
