// Build step (`make build`): `bun src/embedded/build-cluster.ts <dir>` empties
// <dir> and writes the migrated cluster there as pglite-cluster-<key>.tar.gz
// (src/embedded/cluster.ts). Passed to `bun build --compile` as an extra
// entrypoint it lands in Bun.embeddedFiles, and a first start of the binary
// unpacks it instead of running initdb and the migrations.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildMigratedCluster, clusterFileName } from "./cluster";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: bun src/embedded/build-cluster.ts <output-dir>");
  process.exit(2);
}
const started = performance.now();
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const work = join(dir, ".work");
const dump = await buildMigratedCluster(work);
rmSync(work, { recursive: true, force: true });
const out = join(dir, clusterFileName());
writeFileSync(out, new Uint8Array(await dump.arrayBuffer()));
console.log(`wrote ${out} (${dump.size} bytes) in ${Math.round(performance.now() - started)} ms`);
