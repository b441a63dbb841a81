// Zero-config start and memory (issue 16): first start on an empty data
// directory, warm start on the same directory, idle RSS, and the peak RSS of a
// first start (VmHWM, the kernel's high-water mark). Each start is timed from
// spawn to the first 200 from /health.
// Standalone: `bun bench/embedded.ts [runs]` (BENCH_FROM_SOURCE=1 for `bun src/main.ts`).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, ROOT, freePort, rssMb, waitFor } from "./lib";

export interface EmbeddedFigures {
  first_ms: number[];
  warm_ms: number[];
  idle_rss_mb: number;
  first_peak_rss_mb: number[];
  /** The first start's log lines (progress). */
  first_log: string;
}

function peakMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

export async function measureEmbedded(cmd: string[], runs = 3): Promise<EmbeddedFigures> {
  const out: EmbeddedFigures = { first_ms: [], warm_ms: [], idle_rss_mb: NaN, first_peak_rss_mb: [], first_log: "" };
  const home = mkdtempSync(join(tmpdir(), "bh-bench-emb-"));
  try {
    for (let i = 0; i < runs; i++) {
      const dataDir = join(home, `data-${i}`);
      const port = await freePort();
      const env = { PATH: process.env.PATH ?? "", HOME: home, TMPDIR: process.env.TMPDIR ?? tmpdir(), BEADHUB_DATA_DIR: dataDir, BEADHUB_PORT: String(port), BEADHUB_HOST: "127.0.0.1" };
      const t0 = performance.now();
      const p = Bun.spawn([...cmd, "serve"], { env, stdout: "pipe", stderr: "pipe" });
      await waitFor(`http://127.0.0.1:${port}/health`, 120_000, 10);
      out.first_ms.push(Math.round(performance.now() - t0));
      out.first_peak_rss_mb.push(peakMb(p.pid));
      p.kill("SIGTERM");
      await p.exited;
      if (i === 0) out.first_log = (await new Response(p.stdout).text()) + (await new Response(p.stderr).text());
      // Warm start on the directory the first start created.
      const w0 = performance.now();
      const w = Bun.spawn([...cmd, "serve"], { env, stdout: "ignore", stderr: "ignore" });
      await waitFor(`http://127.0.0.1:${port}/health`, 60_000, 10);
      out.warm_ms.push(Math.round(performance.now() - w0));
      if (i === runs - 1) {
        await Bun.sleep(3000);
        out.idle_rss_mb = rssMb(w.pid);
      }
      w.kill("SIGTERM");
      await w.exited;
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.main) {
  const cmd = process.env.BENCH_FROM_SOURCE ? [BUN, `${ROOT}src/main.ts`] : [`${ROOT}dist/beadhub`];
  console.log(JSON.stringify(await measureEmbedded(cmd, Number(process.argv[2] ?? 3)), null, 1));
}
