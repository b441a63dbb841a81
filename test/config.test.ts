import { describe, expect, test } from "bun:test";
import { ConfigError, configSources, loadConfig } from "../src/config";

describe("config", () => {
  test("defaults follow the contract", () => {
    const c = loadConfig({ BEADHUB_DATABASE_URL: "postgres://u@h/db" });
    expect(c.databaseUrl).toBe("postgres://u@h/db");
    expect(c.redisUrl).toBe("redis://localhost:6379/0");
    expect(c.host).toBe("0.0.0.0");
    expect(c.port).toBe(8000);
    expect(c.logLevel).toBe("info");
    expect(c.presenceTtlSeconds).toBe(1800);
    expect(c.initRateLimit).toBe(10);
    expect(c.initRateWindowSeconds).toBe(60);
    expect(c.internalAuthSecret).toBeNull();
    expect(Object.isFrozen(c)).toBe(true);
  });

  test("zero-config mode listens on the loopback interface unless BEADHUB_HOST says otherwise", () => {
    expect(loadConfig({}).host).toBe("127.0.0.1");
    expect(loadConfig({ BEADHUB_HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
    expect(loadConfig({ BEADHUB_HOST: "[::1]" }).host).toBe("::1");
  });

  test("configSources names the variable each connection setting came from", () => {
    expect(configSources({})).toEqual({
      database: "unset: embedded PostgreSQL",
      redis: "unset: in-process",
      host: "default (zero-config mode)",
      port: "default",
      data_dir: "HOME",
    });
    expect(configSources({ DATABASE_URL: "postgres://h/db", BEADHUB_REDIS_URL: "redis://r", BEADHUB_PORT: "1" })).toEqual({
      database: "DATABASE_URL",
      redis: "BEADHUB_REDIS_URL",
      host: "default (full mode)",
      port: "BEADHUB_PORT",
    });
  });

  test("a database that is not beadhub's own is refused", () => {
    for (const url of ["postgres://h", "postgres://h/", "postgres://h/postgres", "postgres://h/template0", "postgres://h/template_x"]) {
      expect(() => loadConfig({ BEADHUB_DATABASE_URL: url })).toThrow(ConfigError);
    }
    expect(loadConfig({ BEADHUB_DATABASE_URL: "postgres://h/beadhub_postgres" }).databaseUrl).toBe("postgres://h/beadhub_postgres");
  });

  test("DATABASE_URL and REDIS_URL are fallbacks", () => {
    const c = loadConfig({ DATABASE_URL: "postgresql://x/y", REDIS_URL: "redis://r:1/2" });
    expect(c.databaseUrl).toBe("postgresql://x/y");
    expect(c.redisUrl).toBe("redis://r:1/2");
    const d = loadConfig({ BEADHUB_DATABASE_URL: "postgres://a/b", DATABASE_URL: "postgres://c/d" });
    expect(d.databaseUrl).toBe("postgres://a/b");
  });

  test("secret falls back to SESSION_SECRET_KEY", () => {
    expect(loadConfig({ SESSION_SECRET_KEY: "s" }).internalAuthSecret).toBe("s");
    expect(loadConfig({ BEADHUB_INTERNAL_AUTH_SECRET: "a", SESSION_SECRET_KEY: "s" }).internalAuthSecret).toBe("a");
  });

  const bad: [Record<string, string>, string][] = [
    [{ BEADHUB_PORT: "abc" }, "BEADHUB_PORT"],
    [{ BEADHUB_PORT: "0" }, "BEADHUB_PORT"],
    [{ BEADHUB_PORT: "70000" }, "BEADHUB_PORT"],
    [{ BEADHUB_PRESENCE_TTL_SECONDS: "5" }, "BEADHUB_PRESENCE_TTL_SECONDS"],
    [{ BEADHUB_LOG_LEVEL: "loud" }, "BEADHUB_LOG_LEVEL"],
    [{ BEADHUB_LOG_JSON: "maybe" }, "BEADHUB_LOG_JSON"],
    [{ BEADHUB_INIT_RATE_LIMIT: "-1" }, "BEADHUB_INIT_RATE_LIMIT"],
    [{ BEADHUB_INIT_RATE_WINDOW: "1.5" }, "BEADHUB_INIT_RATE_WINDOW"],
    [{ BEADHUB_DATABASE_URL: "mysql://x/y" }, "BEADHUB_DATABASE_URL"],
    [{ DATABASE_URL: "not a url" }, "DATABASE_URL"],
    [{ BEADHUB_REDIS_URL: "http://x" }, "BEADHUB_REDIS_URL"],
  ];
  for (const [env, variable] of bad) {
    test(`rejects ${JSON.stringify(env)} with a one-line message naming ${variable}`, () => {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain(variable);
      expect(message.includes("\n")).toBe(false);
    });
  }
});
