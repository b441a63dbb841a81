// Runs once per `bun test` process: make sure the migrated template exists
// before any test file clones it.
import { ensureTemplate } from "./db";
import { EMBEDDED, ensureEmbeddedTemplate } from "./embedded";

if (EMBEDDED) await ensureEmbeddedTemplate();
else await ensureTemplate();
