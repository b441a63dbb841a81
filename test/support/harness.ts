// One app per test file: a fresh database cloned from the template, a Redis
// key prefix of its own, and the real app driven through app.handle().
import Redis from "ioredis";
import { createApp, type AppHandle } from "../../src/app";
import { loadConfig, type Config } from "../../src/config";
import { openSql, type Sql } from "../../src/db/pool";
import { openRedis } from "../../src/redis/client";
import { silentLogger, type Logger } from "../../src/log";
import { createMemoryRedis } from "../../src/redis/memory";
import { createDatabaseFromTemplate, dropDatabase, urlFor } from "./db";
import { EMBEDDED, startEmbeddedTestDb } from "./embedded";

/** True in the embedded test pass: skip what needs several processes (`test.skipIf(EMBEDDED)`). */
export { EMBEDDED };

export const REDIS_URL = process.env.BEADHUB_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";

export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw body text (sent as-is); wins over `body`. */
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestApp {
  handle: AppHandle;
  sql: Sql;
  redis: Redis;
  config: Readonly<Config>;
  database: string;
  prefix: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<Reply<T>>;
  close(): Promise<void>;
}

export function testConfig(database: string, prefix: string, overrides: Partial<Config> = {}): Readonly<Config> {
  const base = loadConfig({
    BEADHUB_DATABASE_URL: urlFor(database),
    BEADHUB_REDIS_URL: REDIS_URL,
    BEADHUB_REDIS_PREFIX: prefix,
    BEADHUB_INIT_RATE_LIMIT: "1000000",
    BEADHUB_AUTH_CACHE_SECONDS: "0",
    BEADHUB_CHECK_RESPONSES: "true",
  });
  return Object.freeze({ ...base, ...overrides });
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true });
  await r.connect();
  try {
    let cursor = "0";
    do {
      const [next, found] = await r.scan(cursor, "MATCH", prefix + "*", "COUNT", 1000);
      cursor = next;
      if (found.length) await r.del(...found);
    } while (cursor !== "0");
  } finally {
    r.disconnect();
  }
}

export async function startTestApp(
  options: { config?: Partial<Config>; log?: Logger; enableBootstrapRoutes?: boolean } = {},
): Promise<TestApp> {
  if (EMBEDDED) return startEmbeddedTestApp(options);
  const database = await createDatabaseFromTemplate();
  const prefix = `test:${database}:`;
  const config = testConfig(database, prefix, options.config);
  const sql = openSql(config.databaseUrl!, { max: 10 });
  const redis = await openRedis(config.redisUrl!, { keyPrefix: prefix });
  const handle = await createApp({
    config,
    sql,
    redis,
    log: options.log ?? silentLogger,
    enableBootstrapRoutes: options.enableBootstrapRoutes,
  });
  return wrapTestApp(handle, sql, redis, config, database, prefix, async () => {
    await sql.end({ timeout: 5 });
    redis.disconnect();
    await deleteRedisPrefix(prefix);
    await dropDatabase(database);
  });
}

/** BEADHUB_TEST_EMBEDDED=1: the same app on a per-file embedded PostgreSQL and the in-process Redis. */
async function startEmbeddedTestApp(
  options: { config?: Partial<Config>; log?: Logger; enableBootstrapRoutes?: boolean } = {},
): Promise<TestApp> {
  const db = await startEmbeddedTestDb();
  const prefix = `test:${db.name}:`;
  const config = Object.freeze({ ...testConfig(db.name, prefix, options.config), databaseUrl: null, redisUrl: null });
  const redis = createMemoryRedis({ keyPrefix: prefix });
  const handle = await createApp({
    config,
    sql: db.sql,
    redis,
    log: options.log ?? silentLogger,
    enableBootstrapRoutes: options.enableBootstrapRoutes,
  });
  return wrapTestApp(handle, db.sql, redis, config, db.name, prefix, async () => {
    redis.disconnect();
    await db.close();
  });
}

export function wrapTestApp(
  handle: AppHandle,
  sql: Sql,
  redis: Redis,
  config: Readonly<Config>,
  database: string,
  prefix: string,
  release: () => Promise<void>,
): TestApp {
  return {
    handle,
    sql,
    redis,
    config,
    database,
    prefix,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      let body: string | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers["content-type"] ??= "application/json";
      }
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const res = await handle.app.handle(new Request("http://localhost" + path, { method, headers, body }));
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text === "" ? null : JSON.parse(text);
      } catch {
        /* keep text */
      }
      return { status: res.status, body: parsed as any, text, headers: res.headers };
    },
    async close() {
      await handle.close();
      await release();
    },
  };
}

export interface Agent {
  api_key: string;
  project_id: string;
  project_slug: string;
  agent_id: string;
  workspace_id: string | null;
  repo_id: string | null;
  canonical_origin: string | null;
  alias: string;
}

let counter = 0;

/** Bootstrap an agent (with a repo workspace by default) through POST /v1/init. */
export async function initAgent(
  t: TestApp,
  fields: {
    project_slug?: string;
    alias?: string;
    repo_origin?: string | null;
    human_name?: string;
    role?: string;
    /** Any other init field (hostname, workspace_path, …), sent as given. */
    [field: string]: unknown;
  } = {},
): Promise<Agent> {
  const { project_slug, alias, repo_origin, human_name, role, ...rest } = fields;
  const body: Record<string, unknown> = {
    project_slug: project_slug ?? "proj",
    alias: alias ?? `agent-${++counter}`,
    human_name: human_name ?? "Tester",
    ...rest,
  };
  if (repo_origin !== null) body.repo_origin = repo_origin ?? "git@github.com:acme/app.git";
  if (role) body.role = role;
  const res = await t.request("POST", "/v1/init", { body });
  if (res.status !== 200) throw new Error(`init failed: ${res.status} ${res.text}`);
  return res.body as Agent;
}

/** An agent with a repo workspace (the default of initAgent): ids are never null. */
export type RepoAgent = Agent & { workspace_id: string; repo_id: string };

/** initAgent in project `slug` as `alias`, with a repo workspace. */
export const initRepoAgent = (t: TestApp, slug: string, alias: string, extra: Record<string, unknown> = {}) =>
  initAgent(t, { project_slug: slug, alias, ...extra }) as Promise<RepoAgent>;
