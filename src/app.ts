// createApp(options): builds the HTTP app around its dependencies.
// Standalone mode (no sql/redis given) opens its own Postgres pool and Redis
// connection, checks both, migrates, and closes them in close(); without a
// database URL it runs on the embedded PostgreSQL and, without a Redis URL, on
// the in-process Redis (src/embedded/). Library mode is handed both and never
// closes them (docs/protocol/projects.md#configuration).
import { Elysia } from "elysia";
import type Redis from "ioredis";
import type { Config } from "./config";
import type { Deps } from "./deps";
import { createAuthCache } from "./auth/cache";
import { migrate } from "./db/migrate";
import { openSql, type Sql } from "./db/pool";
import { createRedisBus, type EventBus } from "./events/bus";
import { addRootRedirect, docsRoutes } from "./docs/routes";
import { rejectNonJsonBody } from "./http/content-type";
import { ConnectionGuard } from "./http/connection-guard";
import { handleError, json } from "./http/error-handler";
import { rejectDeepJson } from "./http/json-depth";
import { checkResponses } from "./http/openapi";
import { recordRequest } from "./metrics/process";
import { makeSchemasLenient } from "./http/schema";
import { openRedis, redactUrl } from "./redis/client";
import type { EmbeddedSql } from "./embedded/runtime";
import { createLogger, type Logger } from "./log";
import { routeModules } from "./routes";

export interface AppOptions {
  config: Readonly<Config>;
  sql?: Sql;
  redis?: Redis;
  log?: Logger;
  /** false removes POST /v1/init (library mode behind a wrapper that provisions identities). */
  enableBootstrapRoutes?: boolean;
}

export interface AppHandle {
  app: ReturnType<typeof buildApp>;
  deps: Deps;
  /** Aborted when the server shuts down; long-lived streams end on it. */
  shutdown: AbortController;
  close(): Promise<void>;
}

export async function createApp(options: AppOptions): Promise<AppHandle> {
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel, config.logJson);
  if ((options.sql === undefined) !== (options.redis === undefined)) {
    throw new Error("createApp: pass both sql and redis (library mode) or neither (standalone mode)");
  }
  const standalone = options.sql === undefined;
  let sql = options.sql;
  let redis = options.redis;
  let bus: EventBus | undefined;
  // Embedded mode (no database URL): PGlite in this process (issue 10).
  let embedded: EmbeddedSql | null = null;
  try {
    if (standalone) {
      // Loaded only when used: PGlite's module is not needed in full mode.
      const runtime = () => import("./embedded/runtime");
      redis = config.redisUrl
        ? await openRedis(config.redisUrl, { keyPrefix: config.redisPrefix })
        : (await runtime()).openMemoryRedis(config);
      if (config.databaseUrl) {
        sql = openSql(config.databaseUrl, { max: config.dbPoolSize });
        try {
          await sql`select 1`;
        } catch (err) {
          throw new Error(`cannot reach PostgreSQL at ${redactUrl(config.databaseUrl)}: ${(err as Error).message}`);
        }
      } else {
        embedded = await (await runtime()).openEmbeddedSql(config.dataDir, log);
        sql = embedded.sql;
        log.info(`embedded mode: single process only, data in ${config.dataDir}`, {
          data_dir: config.dataDir,
          redis: config.redisUrl ? "external" : "in-process",
        });
      }
      const result = await migrate(sql);
      if (result.applied.length > 0) log.info("migrations applied", { applied: result.applied });
    }
    bus = createRedisBus(redis!, log);
  } catch (err) {
    if (standalone) {
      if (embedded) await embedded.close();
      else await sql?.end({ timeout: 1 }).catch(() => {});
      redis?.disconnect();
    }
    throw err;
  }

  const deps: Deps = {
    config,
    sql: sql!,
    redis: redis!,
    bus,
    log,
    authCache: createAuthCache(config.authCacheSeconds),
  };
  const shutdown = new AbortController();
  const app = buildApp(deps, shutdown.signal, options.enableBootstrapRoutes ?? true);
  return {
    app,
    deps,
    shutdown,
    async close() {
      shutdown.abort();
      await deps.bus.close();
      if (standalone) {
        if (embedded) await embedded.close();
        else await deps.sql.end({ timeout: 5 });
        deps.redis.disconnect();
      }
    },
  };
}

interface RequestMeta {
  id: string;
  start: number;
  /** Set when onError produced the response (Elysia does not report it afterwards). */
  status?: number;
}

function requestIdFrom(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : crypto.randomUUID();
}

/** Route patterns (":param" segments) → the methods registered for them, for 405s. */
function methodIndex(app: Elysia<any, any, any, any, any, any, any>) {
  let table: { re: RegExp; method: string }[] | null = null;
  return (path: string): string[] => {
    table ??= (app.router.history as { method: string; path: string }[]).map((r) => ({
      method: r.method,
      re: new RegExp(
        "^" + r.path.split("/").map((seg) => (seg.startsWith(":") ? "[^/]+" : seg === "*" ? ".*" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/") + "/?$",
      ),
    }));
    return [...new Set(table.filter((r) => r.re.test(path)).map((r) => r.method))];
  };
}

function buildApp(deps: Deps, shutdownSignal: AbortSignal, enableBootstrapRoutes: boolean) {
  const meta = new WeakMap<Request, RequestMeta>();
  const { log, config } = deps;
  const root = new Elysia({ normalize: false });
  const allowedMethods = methodIndex(root);
  const guard = new ConnectionGuard(config, shutdownSignal);

  if (config.checkResponses) checkResponses(root);
  const app = root
    .onRequest(({ request, set, server }) => {
      const m = { id: requestIdFrom(request), start: performance.now() };
      meta.set(request, m);
      set.headers["x-request-id"] = m.id;
      const refused = guard.admit(request, server);
      if (refused) return refused;
      // Enforced before any parsing; Bun.serve's maxRequestBodySize catches bodies without a length.
      const length = Number(request.headers.get("content-length") ?? "0");
      if (length > config.maxBodyBytes) {
        return json(413, { detail: `Request body too large (limit ${config.maxBodyBytes} bytes)` });
      }
      return rejectNonJsonBody(request);
    })
    // Separate (async) hook so the one above stays synchronous: reads a clone of
    // large JSON bodies only (src/http/json-depth.ts).
    .onRequest(async ({ request }) => rejectDeepJson(request))
    .onBeforeHandle({ as: "global" }, ({ request, server }) => guard.received(request, server))
    .onAfterHandle({ as: "global" }, ({ request, server, response, set }) => guard.answered(request, server, response, set.headers))
    .onError(({ code, error, request, server }) => {
      const url = new URL(request.url);
      const m = meta.get(request);
      const response = handleError({
        code,
        error,
        requestId: m?.id ?? "-",
        method: request.method,
        path: url.pathname,
        allowedMethods,
        log,
      });
      if (m) {
        m.status = response.status;
        response.headers.set("x-request-id", m.id);
      }
      guard.answered(request, server, response, {});
      return response;
    })
    .onAfterResponse(({ request, set, response, route }) => {
      guard.release(request);
      const m = meta.get(request);
      const status =
        m?.status ?? (response instanceof Response ? response.status : typeof set.status === "number" ? set.status : 200);
      // The route template, never the raw path: ids in paths would make a series per tenant.
      if (config.metrics && m) recordRequest(request.method, route || "unmatched", status, (performance.now() - m.start) / 1000);
      log.info("request", {
        method: request.method,
        path: new URL(request.url).pathname,
        status,
        duration_ms: m ? Math.round((performance.now() - m.start) * 100) / 100 : null,
        request_id: m?.id,
      });
    })
    .use(docsRoutes(() => root));

  for (const mod of routeModules({ deps, shutdownSignal, enableBootstrapRoutes })) app.use(mod);
  addRootRedirect(app);
  makeSchemasLenient(app);
  return app;
}
