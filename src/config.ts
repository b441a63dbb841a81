// The only module that reads the environment (contract beadhub.md §18).
// loadConfig validates every variable once; a bad value throws ConfigError whose
// message is one line naming the variable, and main.ts prints it and exits.
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export type LogLevel = "debug" | "info" | "warning" | "error";

export interface Config {
  /** null = no database configured (embedded mode, or `migrate` refuses). */
  databaseUrl: string | null;
  /** null = in-process Redis (embedded mode: no Redis URL and no database URL). */
  redisUrl: string | null;
  /** Prefix for every Redis key and channel (lets tests and tenants share one Redis). */
  redisPrefix: string;
  host: string;
  port: number;
  logLevel: LogLevel;
  logJson: boolean;
  presenceTtlSeconds: number;
  initRateLimit: number;
  initRateWindowSeconds: number;
  /** HMAC secret for signed proxy headers (X-BH-Auth); null disables proxy mode. */
  internalAuthSecret: string | null;
  /** Use the first X-Forwarded-For address as the client IP (only behind a trusted proxy). */
  trustForwardedFor: boolean;
  dbPoolSize: number;
  /** How long a verified API key is trusted without asking Postgres again. */
  authCacheSeconds: number;
  /** Largest accepted request body, enforced before parsing. */
  maxBodyBytes: number;
  /** Seconds SIGTERM waits for in-flight requests before closing connections. */
  shutdownGraceSeconds: number;
  /** Absolute directory of the embedded database (used only when databaseUrl is null). */
  dataDir: string;
  /**
   * Check every 2xx answer against the route's declared response schema and
   * fail the request on a mismatch (src/http/openapi.ts). The test suite turns
   * it on; production leaves it off.
   */
  checkResponses: boolean;
  /** Serve the web dashboard at / (BEADHUB_DASHBOARD=off removes it and its config route). */
  dashboard: boolean;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`configuration error: ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function pick(env: Env, ...names: string[]): { name: string; value: string } | null {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") return { name, value: value.trim() };
  }
  return null;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const found = pick(env, name);
  if (!found) return fallback;
  if (!/^-?\d+$/.test(found.value)) throw new ConfigError(name, `must be an integer, got "${found.value}"`);
  const n = Number(found.value);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const found = pick(env, name);
  if (!found) return fallback;
  const v = found.value.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ConfigError(name, `must be a boolean (true/false/1/0/yes/no/on/off), got "${found.value}"`);
}

function url(env: Env, schemes: string[], ...names: string[]): string | null {
  const found = pick(env, ...names);
  if (!found) return null;
  let parsed: URL;
  try {
    parsed = new URL(found.value);
  } catch {
    throw new ConfigError(found.name, "is not a valid URL");
  }
  const scheme = parsed.protocol.replace(/:$/, "");
  if (!schemes.includes(scheme)) {
    throw new ConfigError(found.name, `must use one of the schemes ${schemes.join(", ")}, got "${scheme}"`);
  }
  return found.value;
}

const LEVELS: Record<string, LogLevel> = {
  debug: "debug",
  info: "info",
  warning: "warning",
  warn: "warning",
  error: "error",
  critical: "error",
};

/** BEADHUB_DATA_DIR, else $XDG_DATA_HOME/beadhub, else ~/.local/share/beadhub (absolute). */
export function resolveDataDir(env: Env): string {
  const explicit = pick(env, "BEADHUB_DATA_DIR")?.value;
  if (explicit) return resolve(explicit);
  const xdg = pick(env, "XDG_DATA_HOME")?.value;
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  if (xdg && xdg.startsWith("/")) return join(xdg, "beadhub");
  return join(pick(env, "HOME")?.value ?? homedir(), ".local", "share", "beadhub");
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const level = (pick(env, "BEADHUB_LOG_LEVEL")?.value ?? "info").toLowerCase();
  if (!LEVELS[level]) {
    throw new ConfigError("BEADHUB_LOG_LEVEL", `must be one of debug, info, warning, error, got "${level}"`);
  }
  const host = pick(env, "BEADHUB_HOST")?.value ?? "0.0.0.0";
  if (/\s/.test(host)) throw new ConfigError("BEADHUB_HOST", "must not contain whitespace");

  const databaseUrl = url(env, ["postgres", "postgresql"], "BEADHUB_DATABASE_URL", "DATABASE_URL");
  const config: Config = {
    databaseUrl,
    // With a database URL the contract default applies; with neither, embedded
    // mode uses the in-process Redis (issue 10).
    redisUrl:
      url(env, ["redis", "rediss"], "BEADHUB_REDIS_URL", "REDIS_URL") ??
      (databaseUrl ? "redis://localhost:6379/0" : null),
    redisPrefix: pick(env, "BEADHUB_REDIS_PREFIX")?.value ?? "",
    host,
    port: integer(env, "BEADHUB_PORT", 8000, 1, 65535),
    logLevel: LEVELS[level],
    logJson: boolean(env, "BEADHUB_LOG_JSON", true),
    presenceTtlSeconds: integer(env, "BEADHUB_PRESENCE_TTL_SECONDS", 1800, 10, 86400 * 7),
    initRateLimit: integer(env, "BEADHUB_INIT_RATE_LIMIT", 10, 1, 1_000_000),
    initRateWindowSeconds: integer(env, "BEADHUB_INIT_RATE_WINDOW", 60, 1, 86400),
    internalAuthSecret:
      pick(env, "BEADHUB_INTERNAL_AUTH_SECRET", "AWEB_INTERNAL_AUTH_SECRET", "SESSION_SECRET_KEY")?.value ?? null,
    trustForwardedFor: boolean(env, "BEADHUB_TRUST_PROXY", false),
    dbPoolSize: integer(env, "BEADHUB_DB_POOL_SIZE", 10, 1, 500),
    authCacheSeconds: integer(env, "BEADHUB_AUTH_CACHE_SECONDS", 5, 0, 60),
    maxBodyBytes: integer(env, "BEADHUB_MAX_BODY_BYTES", 32 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    shutdownGraceSeconds: integer(env, "BEADHUB_SHUTDOWN_GRACE_SECONDS", 10, 0, 600),
    dataDir: resolveDataDir(env),
    checkResponses: boolean(env, "BEADHUB_CHECK_RESPONSES", false),
    dashboard: boolean(env, "BEADHUB_DASHBOARD", true),
  };
  // BEADHUB_RELOAD and BEADHUB_DASHBOARD_HUMAN exist in the reference but change nothing
  // here; still reject nonsense so a typo does not pass silently.
  boolean(env, "BEADHUB_RELOAD", false);
  return Object.freeze(config);
}
