// What every route module gets: the connections and settings of one app instance.
import type Redis from "ioredis";
import type { Config } from "./config";
import type { Sql } from "./db/pool";
import type { EventBus } from "./events/bus";
import type { Logger } from "./log";
import type { AuthCache } from "./auth/cache";

export interface Deps {
  config: Readonly<Config>;
  sql: Sql;
  redis: Redis;
  bus: EventBus;
  log: Logger;
  /** Verified API keys and actor agents, briefly (src/auth/cache.ts). */
  authCache: AuthCache;
}
