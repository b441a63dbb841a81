// Entry point: parse the command, load config, then serve or migrate.
// Every configuration problem, from every entry point (`make run` and
// `make migrate` run this file too), is one line on stderr naming the variable
// and a non-zero exit code, found before any slow work (issue 17).
import { ConfigError, configSources, loadConfig, redactUrl, type Config } from "./config";
import { checkListen } from "./listen-check";
import { createLogger, type Logger } from "./log";
import { VERSION } from "./version";

const HELP = `beadhub ${VERSION} — coordination server for AI coding agents

Usage: beadhub [command] [--create-database]

Commands:
  serve      start the HTTP server (default)
  migrate    apply database migrations and exit
  export F   write every row of the database to file F (backup; see README)
  import F   load file F into an empty database (restore, or move to PostgreSQL)
  version    print the version
  --help     show this help

  --create-database   (serve, migrate, import) create the database named in
                      BEADHUB_DATABASE_URL first if it does not exist

Configuration comes from the environment (see README.md): BEADHUB_DATABASE_URL
(or DATABASE_URL), BEADHUB_REDIS_URL, BEADHUB_HOST, BEADHUB_PORT,
BEADHUB_LOG_LEVEL, BEADHUB_PRESENCE_TTL_SECONDS, BEADHUB_INIT_RATE_LIMIT,
BEADHUB_INIT_RATE_WINDOW, BEADHUB_INTERNAL_AUTH_SECRET, BEADHUB_METRICS, …

Without BEADHUB_DATABASE_URL it runs in zero-config mode: a built-in PostgreSQL
and in-process events, single process only, listening on 127.0.0.1 unless
BEADHUB_HOST says otherwise, data in BEADHUB_DATA_DIR (default
$XDG_DATA_HOME/beadhub or ~/.local/share/beadhub).`;

/** One line: messages from drivers may span several. */
const oneLine = (err: unknown) => ((err as Error)?.message ?? String(err)).replace(/\s*\n\s*/g, " ");

/** What the start log says about the connections (passwords redacted). */
function targets(config: Readonly<Config>) {
  return {
    mode: config.databaseUrl ? "full" : "zero-config",
    postgres: config.databaseUrl ? redactUrl(config.databaseUrl) : `embedded, data in ${config.dataDir}`,
    redis: config.redisUrl ? redactUrl(config.redisUrl) : "in-process",
    sources: configSources(),
  };
}

async function createDatabase(config: Readonly<Config>, log: Logger): Promise<void> {
  if (!config.databaseUrl) return; // zero-config mode has its own data directory
  const { createDatabaseIfMissing } = await import("./db/create-database");
  if (await createDatabaseIfMissing(config.databaseUrl)) {
    log.info("database created", { postgres: redactUrl(config.databaseUrl) });
  }
}

async function migrateCommand(config: Readonly<Config>, log: Logger, create: boolean): Promise<number> {
  const { openSql } = await import("./db/pool");
  const { migrate } = await import("./db/migrate");
  let embedded: import("./embedded/runtime").EmbeddedSql | null = null;
  try {
    if (create) await createDatabase(config, log);
    // Without a database URL, migrate the embedded database in the data directory.
    if (!config.databaseUrl) embedded = await (await import("./embedded/runtime")).openEmbeddedSql(config.dataDir, log);
  } catch (err) {
    console.error(`migrate failed: ${oneLine(err)}`);
    return 1;
  }
  const sql = embedded?.sql ?? openSql(config.databaseUrl!, { max: 1 });
  try {
    const result = await migrate(sql);
    log.info("migrations done", {
      applied: result.applied,
      already_applied: result.skipped,
      ...(embedded ? { data_dir: config.dataDir } : {}),
      ...targets(config),
    });
    return 0;
  } catch (err) {
    console.error(`migrate failed on ${targets(config).postgres}: ${oneLine(err)}`);
    return 1;
  } finally {
    if (embedded) await embedded.close();
    else await sql.end({ timeout: 5 });
  }
}

async function main(argv: string[]): Promise<number> {
  const flags = argv.filter((a) => a.startsWith("--") && a !== "--help" && a !== "--version");
  const command = argv.find((a) => !flags.includes(a)) ?? "serve";
  if (command === "--help" || command === "-h" || command === "help") {
    console.log(HELP);
    return 0;
  }
  if (command === "version" || command === "--version") {
    console.log(VERSION);
    return 0;
  }
  const backup = command === "export" || command === "import";
  const file = argv.filter((a) => !flags.includes(a))[1];
  if (backup && !file) {
    console.error(`usage: beadhub ${command} <file>`);
    return 2;
  }
  if (command !== "serve" && command !== "migrate" && !backup) {
    console.error(`unknown command "${command}"; try beadhub --help`);
    return 2;
  }
  const unknown = flags.filter((f) => f !== "--create-database");
  if (unknown.length > 0) {
    console.error(`unknown option "${unknown[0]}"; try beadhub --help`);
    return 2;
  }
  const create = flags.includes("--create-database");
  let config: Readonly<Config>;
  try {
    config = loadConfig();
    if (command === "serve") checkListen(config.host, config.port);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const log = createLogger(config.logLevel, config.logJson);

  if (backup) {
    if (create && command === "import") {
      try {
        await createDatabase(config, log);
      } catch (err) {
        console.error(`import failed: ${oneLine(err)}`);
        return 1;
      }
    }
    const { runBackupCommand } = await import("./backup/command");
    return runBackupCommand(command, file!, config, log);
  }
  if (command === "migrate") return migrateCommand(config, log, create);

  const { startServer } = await import("./server");
  const { installDriverGuards } = await import("./db/driver-guard");
  installDriverGuards(log);
  let running;
  try {
    if (create) await createDatabase(config, log);
    running = await startServer(config, log);
  } catch (err) {
    const from = configSources();
    console.error(`startup failed: ${oneLine(err)} (PostgreSQL from ${from.database}, Redis from ${from.redis})`);
    return 1;
  }
  log.info("listening", {
    url: running.url,
    bind: `${config.host.includes(":") ? `[${config.host}]` : config.host}:${running.server.port}`,
    version: VERSION,
    ...targets(config),
  });
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      log.info("signal received", { signal });
      running.stop().then(resolve, resolve);
    };
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    process.once("SIGINT", () => onSignal("SIGINT"));
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`fatal: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
