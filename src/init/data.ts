// Init: SQL only. The rest of init's statements belong to the features whose
// tables they touch (agents, projects, repos, workspaces).
import type { Db } from "../db/pool";

/** The transaction's start time, as PostgreSQL formats it: every row init writes carries it. */
export async function transactionNow(tx: Db): Promise<string> {
  const [{ now }] = await tx<{ now: string }[]>`select now() as now`;
  return now;
}
