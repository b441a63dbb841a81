// The only module that reads the environment (docs/protocol/projects.md#configuration).
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
  /**
   * Joining an existing project through POST /v1/init needs a credential of
   * that project (issue 19); off by default (the open-source trust model).
   */
  inviteOnly: boolean;
  /** Accept only the v3 (timestamped, method- and path-bound) X-BH-Auth format (issue 19). */
  proxyAuthV3Only: boolean;
  /** How old (or how far ahead) a v3 X-BH-Auth timestamp may be. */
  proxyAuthMaxAgeSeconds: number;
  /** Use the first X-Forwarded-For address as the client IP (only behind a trusted proxy). */
  trustForwardedFor: boolean;
  dbPoolSize: number;
  /** How long a verified API key is trusted without asking Postgres again. */
  authCacheSeconds: number;
  /** Largest accepted request body, enforced before parsing. */
  maxBodyBytes: number;
  /** Seconds SIGTERM waits for in-flight requests before closing connections. */
  shutdownGraceSeconds: number;
  /** A connection silent this long while a request is received (or between requests) is closed (issue 19). */
  idleTimeoutSeconds: number;
  /** Requests in flight from one client address; past it 429 (issue 19). 0 = no cap. */
  maxRequestsPerAddress: number;
  /** Syncs and uploads of one project at once (per process); past it 429. 0 = no cap. */
  bulkPerProject: number;
  /** Requests per second per API key (token bucket, burst 2×); 0 = off. */
  rateLimitPerKey: number;
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
  /** MCP tools tools/list shows: "core", "full" or an explicit list of names (src/mcp/catalog.ts). */
  mcpTools: "core" | "full" | readonly string[];
  /** Browser origins besides the server's own that may call /mcp (exact "scheme://host[:port]"). */
  mcpAllowedOrigins: readonly string[];
  /** GET /metrics (Prometheus text; no tenant data in it). BEADHUB_METRICS=off removes it. */
  metrics: boolean;
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

/** The URL with its password replaced by "***" (for log lines and error messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<invalid url>";
  }
}

function url(env: Env, schemes: string[], ...names: string[]): { name: string; value: string } | null {
  const found = pick(env, ...names);
  if (!found) return null;
  let parsed: URL;
  try {
    parsed = new URL(found.value);
  } catch {
    // The value may hold a password: say only that it does not parse.
    throw new ConfigError(found.name, `is not a valid URL (expected ${schemes[0]}://…)`);
  }
  const scheme = parsed.protocol.replace(/:$/, "");
  if (!schemes.includes(scheme)) {
    throw new ConfigError(
      found.name,
      `must use one of the schemes ${schemes.join(", ")}, got "${scheme}" in ${redactUrl(found.value)}`,
    );
  }
  return found;
}

/**
 * The database of a PostgreSQL URL must be beadhub's own: a URL without a
 * name would land in the server's `postgres` maintenance database (libpq
 * defaults the name to the user's), and `template*` databases are copied into
 * every new database (docs/decisions.md, issue 17).
 */
function checkDatabaseName(found: { name: string; value: string }): void {
  const name = databaseName(found.value);
  const shown = redactUrl(found.value);
  const fix = "name beadhub's own database, e.g. postgres://postgres@127.0.0.1:5432/beadhub";
  if (name === "") throw new ConfigError(found.name, `has no database name (${shown}); ${fix}`);
  if (name === "postgres" || name.startsWith("template")) {
    throw new ConfigError(found.name, `names the server's "${name}" database (${shown}), which beadhub never uses; ${fix}`);
  }
}

/** The database name in a PostgreSQL URL ("" when there is none). */
export function databaseName(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
}

/** Where a setting came from, for the start log: a variable's name, or "default". */
export type Sources = Record<string, string>;

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

/** BEADHUB_MCP_TOOLS: core (default full) or a comma list; names are checked against the catalog at start. */
function mcpTools(env: Env): Config["mcpTools"] {
  const found = pick(env, "BEADHUB_MCP_TOOLS");
  if (!found) return "full";
  const v = found.value.toLowerCase();
  if (v === "core" || v === "full") return v;
  const names = found.value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0 || names.some((n) => !/^[a-z_]{1,64}$/.test(n))) {
    throw new ConfigError("BEADHUB_MCP_TOOLS", `must be core, full or a comma list of tool names, got "${found.value}"`);
  }
  return Object.freeze([...new Set(names)]);
}

/** A comma list of origins ("https://app.example.com"), each scheme://host[:port] with no path. */
function origins(env: Env, name: string): readonly string[] {
  const found = pick(env, name);
  if (!found) return Object.freeze([]);
  const out: string[] = [];
  for (const raw of found.value.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(name, `has an invalid origin "${raw}"`);
    }
    if (!["http:", "https:"].includes(parsed.protocol) || parsed.origin !== raw.replace(/\/$/, "")) {
      throw new ConfigError(name, `must list origins like https://host:port (no path), got "${raw}"`);
    }
    out.push(parsed.origin);
  }
  return Object.freeze(out);
}

/**
 * Zero-config mode listens on the loopback interface only: POST /v1/init needs
 * no key, so a laptop server must not be reachable from the network unless
 * BEADHUB_HOST says so. Full mode keeps the reference's 0.0.0.0 (it runs
 * behind a proxy or in a container).
 */
function defaultHost(databaseUrl: string | null): string {
  return databaseUrl ? "0.0.0.0" : "127.0.0.1";
}

/** An IP address or a host name; whether it can be listened on is checked by main.ts before any slow work. */
function checkHost(host: string): string {
  if (!/^[A-Za-z0-9.:\-\[\]%_]+$/.test(host) || host.length > 253) {
    throw new ConfigError("BEADHUB_HOST", `must be an IP address or host name, got "${host}"`);
  }
  return host.replace(/^\[(.*)\]$/, "$1");
}

/** For the start log: which variable (or default) each connection setting came from. */
export function configSources(env: Env = process.env): Sources {
  const from = (fallback: string, ...names: string[]) => pick(env, ...names)?.name ?? fallback;
  const database = from("unset: embedded PostgreSQL", "BEADHUB_DATABASE_URL", "DATABASE_URL");
  const full = database.startsWith("unset") === false;
  return {
    database,
    redis: from(full ? "default" : "unset: in-process", "BEADHUB_REDIS_URL", "REDIS_URL"),
    host: from(full ? "default (full mode)" : "default (zero-config mode)", "BEADHUB_HOST"),
    port: from("default", "BEADHUB_PORT"),
    ...(full ? {} : { data_dir: from(pick(env, "XDG_DATA_HOME") ? "XDG_DATA_HOME" : "HOME", "BEADHUB_DATA_DIR") }),
  };
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const level = (pick(env, "BEADHUB_LOG_LEVEL")?.value ?? "info").toLowerCase();
  if (!LEVELS[level]) {
    throw new ConfigError("BEADHUB_LOG_LEVEL", `must be one of debug, info, warning, error, got "${level}"`);
  }
  const database = url(env, ["postgres", "postgresql"], "BEADHUB_DATABASE_URL", "DATABASE_URL");
  if (database) checkDatabaseName(database);
  const databaseUrl = database?.value ?? null;
  const config: Config = {
    databaseUrl,
    // With a database URL the contract default applies; with neither, embedded
    // mode uses the in-process Redis (issue 10).
    redisUrl:
      url(env, ["redis", "rediss"], "BEADHUB_REDIS_URL", "REDIS_URL")?.value ??
      (databaseUrl ? "redis://localhost:6379/0" : null),
    redisPrefix: pick(env, "BEADHUB_REDIS_PREFIX")?.value ?? "",
    host: checkHost(pick(env, "BEADHUB_HOST")?.value ?? defaultHost(databaseUrl)),
    port: integer(env, "BEADHUB_PORT", 8000, 1, 65535),
    logLevel: LEVELS[level],
    logJson: boolean(env, "BEADHUB_LOG_JSON", true),
    presenceTtlSeconds: integer(env, "BEADHUB_PRESENCE_TTL_SECONDS", 1800, 10, 86400 * 7),
    initRateLimit: integer(env, "BEADHUB_INIT_RATE_LIMIT", 10, 1, 1_000_000),
    initRateWindowSeconds: integer(env, "BEADHUB_INIT_RATE_WINDOW", 60, 1, 86400),
    internalAuthSecret:
      pick(env, "BEADHUB_INTERNAL_AUTH_SECRET", "AWEB_INTERNAL_AUTH_SECRET", "SESSION_SECRET_KEY")?.value ?? null,
    trustForwardedFor: boolean(env, "BEADHUB_TRUST_PROXY", false),
    inviteOnly: boolean(env, "BEADHUB_INVITE_ONLY", false),
    proxyAuthV3Only: boolean(env, "BEADHUB_PROXY_AUTH_V3_ONLY", false),
    proxyAuthMaxAgeSeconds: integer(env, "BEADHUB_PROXY_AUTH_MAX_AGE_SECONDS", 60, 1, 3600),
    dbPoolSize: integer(env, "BEADHUB_DB_POOL_SIZE", 10, 1, 500),
    authCacheSeconds: integer(env, "BEADHUB_AUTH_CACHE_SECONDS", 5, 0, 60),
    maxBodyBytes: integer(env, "BEADHUB_MAX_BODY_BYTES", 32 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    shutdownGraceSeconds: integer(env, "BEADHUB_SHUTDOWN_GRACE_SECONDS", 10, 0, 600),
    // Bun.serve takes at most 255 s.
    idleTimeoutSeconds: integer(env, "BEADHUB_IDLE_TIMEOUT_SECONDS", 30, 1, 255),
    maxRequestsPerAddress: integer(env, "BEADHUB_MAX_REQUESTS_PER_ADDRESS", 256, 0, 1_000_000),
    bulkPerProject: integer(env, "BEADHUB_BULK_PER_PROJECT", 3, 0, 10_000),
    rateLimitPerKey: integer(env, "BEADHUB_RATE_LIMIT_PER_KEY", 0, 0, 1_000_000),
    dataDir: resolveDataDir(env),
    checkResponses: boolean(env, "BEADHUB_CHECK_RESPONSES", false),
    dashboard: boolean(env, "BEADHUB_DASHBOARD", true),
    mcpTools: mcpTools(env),
    mcpAllowedOrigins: origins(env, "BEADHUB_MCP_ALLOWED_ORIGINS"),
    metrics: boolean(env, "BEADHUB_METRICS", true),
  };
  // BEADHUB_RELOAD and BEADHUB_DASHBOARD_HUMAN exist in the reference but change nothing
  // here; still reject nonsense so a typo does not pass silently.
  boolean(env, "BEADHUB_RELOAD", false);
  return Object.freeze(config);
}
