// Runs once per `bun test` process: make sure the migrated template exists
// before any test file clones it.
import { ensureTemplate } from "./db";

await ensureTemplate();
