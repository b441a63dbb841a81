// `beadhub export <file>` and `beadhub import <file>`: open the configured
// database (the embedded one in the data directory when no URL is set — which
// takes the directory's lock, so a running server is reported, not raced),
// run the service, print one summary line. Export writes `<file>.partial`
// and renames it when complete, so a failed export never leaves a file that
// looks whole.
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config";
import { openSql, type Sql } from "../db/pool";
import type { Logger } from "../log";
import { BackupError, type TableCount } from "./model";
import { exportDatabase, importDatabase } from "./service";

interface Opened {
  sql: Sql;
  source: string;
  close(): Promise<void>;
}

async function openDatabase(config: Readonly<Config>, log: Logger, mustExist: boolean): Promise<Opened> {
  if (config.databaseUrl) {
    const sql = openSql(config.databaseUrl, { max: 1 });
    return { sql, source: "postgres", close: () => sql.end({ timeout: 5 }) };
  }
  if (mustExist && !existsSync(join(config.dataDir, "pgdata", "PG_VERSION"))) {
    throw new BackupError(`no embedded database in ${config.dataDir} (set BEADHUB_DATA_DIR, or BEADHUB_DATABASE_URL for PostgreSQL)`);
  }
  const { openEmbeddedSql } = await import("../embedded/runtime");
  const embedded = await openEmbeddedSql(config.dataDir, log);
  return { sql: embedded.sql, source: "embedded", close: () => embedded.close() };
}

/** Lines of a file, streamed; a final empty line (the file's last newline) is dropped. */
async function* fileLines(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of Bun.file(path).stream()) {
    rest += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, at);
      rest = rest.slice(at + 1);
    }
  }
  rest += decoder.decode();
  if (rest !== "") yield rest;
}

const total = (counts: TableCount[]) => counts.reduce((n, c) => n + c.rows, 0);

export async function runExport(config: Readonly<Config>, log: Logger, file: string): Promise<TableCount[]> {
  const db = await openDatabase(config, log, true);
  const partial = `${file}.partial`;
  const started = performance.now();
  try {
    const writer = Bun.file(partial).writer();
    let counts: TableCount[];
    try {
      counts = await exportDatabase({ sql: db.sql }, db.source, (line) => {
        writer.write(line + "\n");
      });
    } finally {
      await writer.end();
    }
    renameSync(partial, file);
    log.info("export written", { file, tables: counts.length, rows: total(counts), seconds: (performance.now() - started) / 1000 });
    return counts;
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    await db.close();
  }
}

export async function runImport(config: Readonly<Config>, log: Logger, file: string): Promise<TableCount[]> {
  if (!existsSync(file)) throw new BackupError(`no such file: ${file}`);
  const db = await openDatabase(config, log, false);
  const started = performance.now();
  try {
    const counts = await importDatabase({ sql: db.sql }, fileLines(file)[Symbol.asyncIterator]());
    log.info("import done", { file, target: db.source, tables: counts.length, rows: total(counts), seconds: (performance.now() - started) / 1000 });
    return counts;
  } finally {
    await db.close();
  }
}

/**
 * The CLI entry: every failure is one line and exit 1 (a data directory held
 * by a running server arrives as DataDirLockedError's message, naming the pid).
 */
export async function runBackupCommand(command: "export" | "import", file: string, config: Readonly<Config>, log: Logger): Promise<number> {
  try {
    if (command === "export") await runExport(config, log, file);
    else await runImport(config, log, file);
    return 0;
  } catch (err) {
    console.error(`${command} failed: ${(err as Error).message}`);
    return 1;
  }
}
