// Build step (optional): `bun src/embedded/build-cluster.ts dist/pglite-cluster.tar.gz`
// writes an initialised, empty PGlite cluster. Passed to `bun build --compile`
// as an extra entrypoint it lands in Bun.embeddedFiles, and a first start then
// unpacks it (~2 s) instead of running initdb in WASM (~7-14 s). Migrations
// still run at start, so the file depends only on the PGlite version.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pgliteAssets } from "./assets";

const out = process.argv[2];
if (!out) {
  console.error("usage: bun src/embedded/build-cluster.ts <output.tar.gz>");
  process.exit(2);
}
const started = performance.now();
// In memory: initdb is about twice as fast without the disk.
const db = await PGlite.create({ ...pgliteAssets(dirname(out)) });
const dump = await db.dumpDataDir("gzip");
await db.close();
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, new Uint8Array(await dump.arrayBuffer()));
console.log(`wrote ${out} (${dump.size} bytes) in ${Math.round(performance.now() - started)} ms`);
