// SQL read at scrape time. Only totals over the whole server: no project id
// leaves this file.
import type { Sql } from "../db/pool";

export interface OutboxStats {
  /** Rows not yet delivered, by status (pending, processing, failed). */
  byStatus: Record<string, number>;
  /** Age in seconds of the oldest undelivered row (0 when there is none). */
  oldestSeconds: number;
}

export async function outboxStats(sql: Sql): Promise<OutboxStats> {
  const rows = await sql<{ status: string; n: number; oldest: number | null }[]>`
    select status, count(*)::int as n, extract(epoch from now() - min(created_at))::float8 as oldest
    from server.notification_outbox
    where status in ('pending', 'processing', 'failed')
    group by status`;
  const byStatus: Record<string, number> = { pending: 0, processing: 0, failed: 0 };
  let oldestSeconds = 0;
  for (const r of rows) {
    byStatus[r.status] = r.n;
    oldestSeconds = Math.max(oldestSeconds, r.oldest ?? 0);
  }
  return { byStatus, oldestSeconds };
}
