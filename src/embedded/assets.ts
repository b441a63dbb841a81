// PGlite's runtime files, embedded in the compiled binary. PGlite locates them
// next to its own module by default, which does not exist inside a binary, so
// they are imported as files and handed over explicitly (docs/platform.md#embedded-assets). Under `bun run` the same imports are real paths, so
// tests and the binary share one code path.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Extension, PGliteOptions } from "@electric-sql/pglite";
import pgliteWasmPath from "../../node_modules/@electric-sql/pglite/dist/pglite.wasm" with { type: "file" };
import initdbWasmPath from "../../node_modules/@electric-sql/pglite/dist/initdb.wasm" with { type: "file" };
import fsBundlePath from "../../node_modules/@electric-sql/pglite/dist/pglite.data" with { type: "file" };
import pgTrgmPath from "../../node_modules/@electric-sql/pglite/dist/pg_trgm.tar.gz" with { type: "file" };

/** Name of the pg_trgm bundle copy inside the data directory (removed on stop). */
export const TRGM_COPY = ".pg_trgm.tar.gz";

// Compiling pglite.wasm takes ~0.5 s; one compiled module serves every
// instance in the process (the test harness opens one per test file).
let modules: { pglite: WebAssembly.Module; initdb: WebAssembly.Module } | null = null;

function compiled() {
  modules ??= {
    pglite: new WebAssembly.Module(readFileSync(pgliteWasmPath)),
    initdb: new WebAssembly.Module(readFileSync(initdbWasmPath)),
  };
  return modules;
}

/**
 * The PGlite.create options that supply every runtime file. pg_trgm's bundle is
 * read with createReadStream, which cannot read the binary's virtual file
 * system, so inside a binary it is copied to a real file in `dataDir` first.
 */
export function pgliteAssets(dataDir: string): Pick<PGliteOptions, "pgliteWasmModule" | "initdbWasmModule" | "fsBundle" | "extensions"> {
  const { pglite, initdb } = compiled();
  // Read per open and not kept: PGlite unpacks it into its own file system, so
  // a cached copy would be a second 6 MB held for the life of the process.
  const fsBundle = new Blob([readFileSync(fsBundlePath)]);
  let trgm = pgTrgmPath;
  if (pgTrgmPath.startsWith("/$bunfs/")) {
    trgm = join(dataDir, TRGM_COPY);
    writeFileSync(trgm, readFileSync(pgTrgmPath));
  }
  const pgTrgm: Extension = { name: "pg_trgm", setup: async () => ({ bundlePath: pathToFileURL(trgm) }) };
  return { pgliteWasmModule: pglite, initdbWasmModule: initdb, fsBundle, extensions: { pg_trgm: pgTrgm } };
}
