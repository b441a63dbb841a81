// PostgreSQL and PGlite settings for zero-config mode: one small process with
// one session, so the defaults sized for a shared server (128 MB of shared
// buffers, 64 MB maintenance_work_mem) are cut.
// Each change and its measured effect: docs/performance.md, "Zero-config mode".
import { PGlite, type PGliteOptions } from "@electric-sql/pglite";

/** PostgreSQL settings (`-c name=value` at start). */
export const SETTINGS: Record<string, string> = {
  shared_buffers: "4MB",
  wal_buffers: "1MB",
  work_mem: "2MB",
  maintenance_work_mem: "16MB",
  temp_buffers: "1MB",
  // Single-user mode has no checkpointer: a checkpoint runs when the WAL
  // reaches max_wal_size (1 GB by default, all of it on disk first). min stays
  // at twice a 16 MB segment so data dirs made before the 1 MB seed still start.
  max_wal_size: "64MB",
  min_wal_size: "32MB",
};

// PGlite's initial WASM memory is left alone: pglite.wasm declares a minimum
// of 2048 pages (128 MB) and refuses less (LinkError). Pages never touched do
// not count in RSS; the heap grows on demand and never shrinks.

/** Part of the cluster cache key: a cluster is rebuilt when these change. */
export const TUNING_ID = `tuning-3 ${JSON.stringify(SETTINGS)}`;

// PGlite's own start parameters (single-user mode, no fsync, …), kept when ours are added.
const DEFAULT_START: string[] = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams ?? [];

export function pgliteTuning(): Pick<PGliteOptions, "startParams"> {
  // Without PGlite's defaults to extend (a future version renaming them), keep its own.
  if (DEFAULT_START.length === 0) return {};
  const params = Object.entries(SETTINGS).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  return { startParams: [...DEFAULT_START, ...params] };
}
