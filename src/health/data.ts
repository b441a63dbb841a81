// GET /health's one query: a round trip that proves PostgreSQL answers.
import type { Db } from "../db/pool";

export async function pingDatabase(db: Db): Promise<void> {
  await db`select 1`;
}
