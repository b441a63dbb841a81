// Entry point: parse the command, load config, then serve or migrate.
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./log";
import { VERSION } from "./version";

const HELP = `beadhub ${VERSION} — coordination server for AI coding agents

Usage: beadhub [command]

Commands:
  serve      start the HTTP server (default)
  migrate    apply database migrations and exit
  export F   write every row of the database to file F (backup; see README)
  import F   load file F into an empty database (restore, or move to PostgreSQL)
  version    print the version
  --help     show this help

Configuration comes from the environment (see README.md): BEADHUB_DATABASE_URL
(or DATABASE_URL), BEADHUB_REDIS_URL, BEADHUB_HOST, BEADHUB_PORT,
BEADHUB_LOG_LEVEL, BEADHUB_PRESENCE_TTL_SECONDS, BEADHUB_INIT_RATE_LIMIT,
BEADHUB_INIT_RATE_WINDOW, BEADHUB_INTERNAL_AUTH_SECRET, …

Without BEADHUB_DATABASE_URL it runs in embedded mode: a built-in PostgreSQL
and in-process events, single process only, data in BEADHUB_DATA_DIR
(default $XDG_DATA_HOME/beadhub or ~/.local/share/beadhub).`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? "serve";
  if (command === "--help" || command === "-h" || command === "help") {
    console.log(HELP);
    return 0;
  }
  if (command === "version" || command === "--version") {
    console.log(VERSION);
    return 0;
  }
  const backup = command === "export" || command === "import";
  if (backup && !argv[1]) {
    console.error(`usage: beadhub ${command} <file>`);
    return 2;
  }
  if (command !== "serve" && command !== "migrate" && !backup) {
    console.error(`unknown command "${command}"; try beadhub --help`);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const log = createLogger(config.logLevel, config.logJson);

  if (backup) {
    const { runBackupCommand } = await import("./backup/command");
    return runBackupCommand(command, argv[1]!, config, log);
  }

  if (command === "migrate") {
    const { openSql } = await import("./db/pool");
    const { migrate } = await import("./db/migrate");
    // Without a database URL, migrate the embedded database in the data directory.
    let embedded: import("./embedded/runtime").EmbeddedSql | null = null;
    if (!config.databaseUrl) {
      const { openEmbeddedSql } = await import("./embedded/runtime");
      try {
        embedded = await openEmbeddedSql(config.dataDir, log);
      } catch (err) {
        console.error(`migrate failed: ${(err as Error).message}`);
        return 1;
      }
    }
    const sql = embedded?.sql ?? openSql(config.databaseUrl!, { max: 1 });
    try {
      const result = await migrate(sql);
      log.info("migrations done", {
        applied: result.applied,
        already_applied: result.skipped,
        ...(embedded ? { data_dir: config.dataDir } : {}),
      });
      return 0;
    } finally {
      if (embedded) await embedded.close();
      else await sql.end({ timeout: 5 });
    }
  }

  const { startServer } = await import("./server");
  const { installDriverGuards } = await import("./db/driver-guard");
  installDriverGuards(log);
  let running;
  try {
    running = await startServer(config, log);
  } catch (err) {
    console.error(`startup failed: ${(err as Error).message}`);
    return 1;
  }
  log.info("listening", { url: running.url, version: VERSION });
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
