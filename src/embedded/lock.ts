// One process per data directory: PGlite itself does not stop a second
// process from opening the same files (a write was lost in that test,
// docs/platform.md#one-process-per-data-directory), so the directory carries a lock file naming its holder.
// A lock whose process is gone (crash, kill -9, a container restarted with the
// same pid) is taken over.
import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const LOCK_FILE = "beadhub.lock";

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `data directory ${dataDir} is in use by another beadhub process (pid ${pid}); ` +
        `embedded mode is single-process: stop that process or set BEADHUB_DATA_DIR to another directory`,
    );
    this.name = "DataDirLockedError";
  }
}

interface Holder {
  pid: number;
  /** Process start time from /proc (Linux), to tell a reused pid from the holder. */
  start: string | null;
}

/** Directories this process holds (a second open from the same process is refused too). */
const held = new Set<string>();

function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22 (starttime); the command name (field 2) may contain spaces and ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function readHolder(path: string): Holder | null {
  try {
    const [pid, start] = readFileSync(path, "utf8").trim().split(/\s+/);
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, start: start || null } : null;
  } catch {
    return null;
  }
}

function isAlive(holder: Holder, dataDir: string): boolean {
  if (holder.pid === process.pid) return held.has(dataDir);
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const start = processStart(holder.pid);
  return !(holder.start && start && holder.start !== start);
}

/** Create `path` holding `content`, atomically and only if it does not exist. */
function createExclusive(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Take the data directory's lock or throw DataDirLockedError. Returns the
 * release function (idempotent; removes the file only while it is still ours).
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  const mine = `${process.pid} ${processStart(process.pid) ?? ""}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(path, mine)) {
      held.add(dataDir);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        held.delete(dataDir);
        process.off("exit", release);
        if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
      };
      // A process.exit() that skips stop() must not leave a lock naming a live pid behind.
      process.on("exit", release);
      return release;
    }
    const holder = readHolder(path);
    if (holder && isAlive(holder, dataDir)) throw new DataDirLockedError(dataDir, holder.pid);
    // Stale (or unreadable). Only one process may clear it: whoever creates
    // the takeover marker; a marker older than 10 s is itself stale.
    const marker = path + ".takeover";
    if (!createExclusive(marker, mine)) {
      const age = Date.now() - (statSync(marker, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age > 10_000) rmSync(marker, { force: true });
      Bun.sleepSync(50);
      continue;
    }
    try {
      if (JSON.stringify(readHolder(path)) === JSON.stringify(holder)) rmSync(path, { force: true });
    } finally {
      rmSync(marker, { force: true });
    }
  }
  const holder = readHolder(path);
  throw new DataDirLockedError(dataDir, holder?.pid ?? 0);
}
