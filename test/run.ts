// `make test`: the test files in parallel, each in its own `bun test` process,
// and nothing left behind (issue 17).
//
// - Workers: BEADHUB_TEST_JOBS, default cores × 2 (the files mostly wait on
//   PostgreSQL, Redis and child processes).
// - Longest files first, from the durations of the last run (kept in
//   node_modules/.cache, seeded from test/timings.json), so the slowest file
//   never starts last.
// - One migrated template per run, built here before any file starts and
//   dropped at the end, with every database this run's files created
//   (beadhub_t_<run>_*, beadhub_e_<run>_*) in case a file crashed.
// - Every worker gets TMPDIR = a folder of this run, removed at the end: the
//   embedded template and per-file data directories and any folder a test
//   forgot go with it.
//
// Arguments: paths of test files run only those; any other word selects the
// files whose path contains it (as `bun test <filter>` does); options
// (`--bail`, `-t name`, `--timeout N`, …) are passed to every `bun test`.
// BEADHUB_TEST_EMBEDDED=1 runs the embedded pass (test/support/embedded.ts).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, relative } from "node:path";
import postgres from "postgres";

const ROOT = join(import.meta.dir, "..");
const SEED_TIMINGS = join(ROOT, "test", "timings.json");
const EMBEDDED = process.env.BEADHUB_TEST_EMBEDDED === "1";
// Per pass: the embedded pass's durations differ (PostgreSQL in WebAssembly).
const TIMINGS = join(ROOT, "node_modules", ".cache", `beadhub-test-timings${EMBEDDED ? "-embedded" : ""}.json`);
/**
 * Files that run when nothing else does, after the parallel batch: they time
 * real outages (private PostgreSQL/Redis restarts) and a loaded machine makes
 * their "before the outage" requests miss their deadlines.
 */
const ALONE = new Set(["test/faults.test.ts"]);
/** bun test options that take a value (so the value is not read as a filter). */
const VALUED = new Set(["-t", "--test-name-pattern", "--timeout", "--rerun-each", "--seed", "--preload", "--reporter", "--reporter-outfile", "--coverage-reporter", "--coverage-dir", "--max-concurrency"]);

function parseArgs(args: string[]) {
  const passThrough: string[] = [];
  const files: string[] = [];
  const filters: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("-")) {
      passThrough.push(a);
      if (VALUED.has(a) && i + 1 < args.length) passThrough.push(args[++i]);
    } else if (a.endsWith(".ts") && existsSync(join(ROOT, a))) files.push(relative(ROOT, join(ROOT, a)));
    else filters.push(a);
  }
  if (!passThrough.some((a) => a === "--timeout" || a.startsWith("--timeout="))) passThrough.push("--timeout", "30000");
  return { passThrough, files, filters };
}

function allTestFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name.startsWith(".")) continue;
      const rel = join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/\.test\.tsx?$/.test(e.name)) out.push(rel);
    }
  };
  walk("test");
  return out.sort();
}

function readTimings(): Record<string, number> {
  for (const file of [TIMINGS, SEED_TIMINGS]) {
    try {
      return JSON.parse(readFileSync(file, "utf8"));
    } catch {
      /* next */
    }
  }
  return {};
}

interface FileResult {
  file: string;
  code: number;
  pass: number;
  fail: number;
  skip: number;
  seconds: number;
  output: string;
}

/** bun test's closing counts (" 12 pass", " 0 fail", " 1 skip"). */
function count(output: string, word: string): number {
  const m = output.match(new RegExp(`^\\s*(\\d+) ${word}$`, "m"));
  return m ? Number(m[1]) : 0;
}

/** The running `bun test` processes (ended on SIGINT/SIGTERM/SIGHUP). */
const children = new Set<ReturnType<typeof Bun.spawn>>();

async function runFile(file: string, passThrough: string[], env: Record<string, string>): Promise<FileResult> {
  const start = performance.now();
  const proc = Bun.spawn([process.execPath, "test", ...passThrough, `./${file}`], {
    cwd: ROOT,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  children.add(proc);
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  children.delete(proc);
  const output = out + err;
  return {
    file,
    code,
    pass: count(output, "pass"),
    fail: count(output, "fail"),
    skip: count(output, "skip"),
    seconds: (performance.now() - start) / 1000,
    output,
  };
}

async function adminSql() {
  const { ADMIN_URL } = await import("./support/db");
  return postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
}

/** Drop this run's template and every database its files left behind. */
async function dropRunDatabases(run: string, template: string): Promise<string[]> {
  const sql = await adminSql();
  try {
    const rows = await sql<{ datname: string }[]>`
      select datname from pg_database
      where datname = ${template} or datname like ${`beadhub\\_t\\_${run}\\_%`} or datname like ${`beadhub\\_e\\_${run}\\_%`}`;
    for (const { datname } of rows) await sql`drop database if exists ${sql(datname)} with (force)`;
    return rows.map((r) => r.datname).filter((n) => n !== template);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

/** What runs killed with SIGKILL left behind (their pid is gone): databases and run folders. */
async function sweepDeadRuns(): Promise<void> {
  const sql = await adminSql();
  try {
    const rows = await sql<{ datname: string }[]>`
      select datname from pg_database where datname ~ '^beadhub_(tmpl|t|e)_r[0-9]+x'`;
    for (const { datname } of rows) {
      const pid = Number(datname.match(/_r(\d+)x/)![1]);
      if (!alive(pid)) await sql`drop database if exists ${sql(datname)} with (force)`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  for (const name of readdirSync(tmpdir())) {
    const m = name.match(/^beadhub-test-run-(\d+)-/);
    if (m && !alive(Number(m[1]))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  const { passThrough, files: named, filters } = parseArgs(process.argv.slice(2));
  let files = named.length > 0 ? named : allTestFiles();
  if (filters.length > 0) files = files.filter((f) => filters.some((w) => f.includes(w)));
  if (files.length === 0) {
    console.error(`no test files match ${[...named, ...filters].join(" ")}`);
    return 1;
  }
  const jobs = Math.max(1, Number(process.env.BEADHUB_TEST_JOBS) || availableParallelism() * 2);

  // "r<pid>x<random>": the pid lets a later run sweep what a killed run left (sweepDeadRuns).
  const run = `r${process.pid}x${Math.random().toString(36).slice(2, 6)}`;
  await sweepDeadRuns().catch((e) => console.error(`could not sweep earlier runs: ${(e as Error).message}`));
  const runDir = mkdtempSync(join(tmpdir(), `beadhub-test-run-${process.pid}-`));
  // Readable by the postgres user: test/support/services.ts starts private servers under it.
  chmodSync(runDir, 0o755);
  const template = `beadhub_tmpl_${run}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    TMPDIR: runDir,
    BEADHUB_TEST_RUN: run,
    BEADHUB_TEST_TEMPLATE: template,
  };
  Object.assign(process.env, { TMPDIR: runDir, BEADHUB_TEST_RUN: run, BEADHUB_TEST_TEMPLATE: template });

  let interrupted = false;
  const cleanup = async () => {
    const leftovers = await dropRunDatabases(run, template).catch((e) => {
      console.error(`could not drop this run's databases: ${(e as Error).message}`);
      return [];
    });
    rmSync(runDir, { recursive: true, force: true });
    return leftovers;
  };
  // Interrupted or stopped: end the files, then the finally below still cleans up.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      interrupted = true;
      for (const c of children) c.kill("SIGTERM");
    });
  }

  const results: FileResult[] = [];
  try {
    // The template(s), once, before any file clones them.
    const { ensureTemplate } = await import("./support/db");
    await ensureTemplate();
    if (EMBEDDED) await (await import("./support/embedded")).ensureEmbeddedTemplate();

    const timings = readTimings();
    const queue = files.filter((f) => !ALONE.has(f)).sort((a, b) => (timings[b] ?? 5) - (timings[a] ?? 5));
    const alone = files.filter((f) => ALONE.has(f));
    console.log(`${files.length} test files, ${jobs} at a time${EMBEDDED ? " (embedded pass)" : ""}${alone.length ? `, then ${alone.join(", ")} alone` : ""}`);
    const worker = async (from: string[] = queue) => {
      for (let file = from.shift(); file && !interrupted; file = from.shift()) {
        const r = await runFile(file, passThrough, env);
        results.push(r);
        const ok = r.code === 0;
        if (!ok || process.env.BEADHUB_TEST_VERBOSE === "1") process.stdout.write(r.output.trimEnd() + "\n");
        console.log(
          `${ok ? "ok  " : "FAIL"} ${file.padEnd(40)} ${String(r.pass).padStart(4)} pass ${r.fail ? `${r.fail} fail ` : ""}${r.skip ? `${r.skip} skip ` : ""}${r.seconds.toFixed(1)}s`,
        );
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, queue.length)) }, () => worker()));
    await worker(alone);

    const merged = { ...timings };
    for (const r of results) merged[r.file] = Math.round(r.seconds * 10) / 10;
    mkdirSync(join(ROOT, "node_modules", ".cache"), { recursive: true });
    writeFileSync(TIMINGS, JSON.stringify(merged, null, 1) + "\n");
  } finally {
    const leftovers = await cleanup();
    if (leftovers.length > 0) console.log(`dropped ${leftovers.length} database(s) a test file left behind: ${leftovers.join(", ")}`);
  }

  const failed = results.filter((r) => r.code !== 0);
  const sum = (k: "pass" | "fail" | "skip") => results.reduce((n, r) => n + r[k], 0);
  const seconds = (performance.now() - started) / 1000;
  if (failed.length > 0) console.log(`\nfailed files:\n${failed.map((r) => `  ${r.file} (exit ${r.code})`).join("\n")}`);
  // A file that crashed before its summary counts as one failure.
  const fails = sum("fail") + failed.filter((r) => r.fail === 0).length;
  console.log(`\n${files.length} files in ${seconds.toFixed(1)}s`);
  console.log(`${sum("pass")} passed, ${fails} failed, ${sum("skip")} skipped`);
  return failed.length > 0 || interrupted || results.length < files.length ? 1 : 0;
}

process.exit(await main());
