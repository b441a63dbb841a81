// server.escalations: SQL only. Selects follow the models (src/db/columns.ts).
//
// The effective status is computed in SQL (a pending row past expires_at reads
// "expired"), so the list filter, the detail and respond agree without a sweeper.
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import {
  Escalation,
  EscalationCreated,
  EscalationSummary,
  type EscalationFilter,
  type NewEscalation,
} from "./model";

/** The columns an insert writes: the new escalation's fields, then its status and expiry. */
const INSERT_COLUMNS = [
  "project_id", "workspace_id", "alias", "member_email", "subject", "situation", "options", "status", "expires_at",
] as const;

const effectiveStatus = (db: Db) =>
  db`(case when e.status = 'pending' and e.expires_at <= now() then 'expired' else e.status end)`;
const computed = (db: Db) => ({ escalation_id: db`e.id`, status: effectiveStatus(db) });

export async function insertEscalation(db: Db, e: NewEscalation): Promise<EscalationCreated> {
  const row = {
    ...e,
    options: e.options === null ? null : db.json(e.options),
    status: "pending",
    expires_at: db`now() + make_interval(hours => ${e.expires_in_hours}::int)`,
  };
  const [created] = await db<EscalationCreated[]>`
    with e as (insert into server.escalations ${db(row, INSERT_COLUMNS)} returning *)
    select ${selectList(db, EscalationCreated, "e", computed(db))} from e`;
  return created;
}

export async function listEscalations(db: Db, f: EscalationFilter): Promise<EscalationSummary[]> {
  const status = effectiveStatus(db);
  return db<EscalationSummary[]>`
    select ${selectList(db, EscalationSummary, "e", computed(db))}
    from server.escalations e
    where e.project_id = ${f.projectId}
      ${f.workspaceId !== null ? db`and e.workspace_id = ${f.workspaceId}` : db``}
      ${f.repoId !== null
        ? db`and e.workspace_id in (
               select workspace_id from server.workspaces
               where project_id = ${f.projectId} and repo_id = ${f.repoId} and deleted_at is null)`
        : db``}
      ${f.status !== null ? db`and ${status} = ${f.status}` : db``}
      ${f.alias !== null ? db`and e.alias = ${f.alias}` : db``}
      ${f.before !== null ? db`and e.created_at < ${f.before}::timestamptz` : db``}
    order by e.created_at desc
    limit ${f.limit + 1}`;
}

/** Only escalations whose workspace is live are visible. */
export async function findEscalation(
  db: Db,
  projectId: string,
  escalationId: string,
  workspaceId: string | null,
): Promise<Escalation | null> {
  const rows = await db<Escalation[]>`
    select ${selectList(db, Escalation, "e", computed(db))}
    from server.escalations e
    join server.workspaces w on w.workspace_id = e.workspace_id
    where e.id = ${escalationId} and e.project_id = ${projectId} and w.deleted_at is null
      ${workspaceId !== null ? db`and e.workspace_id = ${workspaceId}` : db``}`;
  return rows[0] ?? null;
}

/** Lock a visible escalation for respond; `expired` is the effective-status test. */
export async function lockEscalation(
  db: Db,
  projectId: string,
  escalationId: string,
): Promise<{ workspace_id: string; expired: boolean } | null> {
  const rows = await db<{ workspace_id: string; expired: boolean }[]>`
    select e.workspace_id, coalesce(e.status = 'pending' and e.expires_at <= now(), false) as expired
    from server.escalations e
    join server.workspaces w on w.workspace_id = e.workspace_id
    where e.id = ${escalationId} and e.project_id = ${projectId} and w.deleted_at is null
    for update of e`;
  return rows[0] ?? null;
}

export async function recordResponse(
  db: Db,
  escalationId: string,
  response: string,
  note: string | null,
  respondedBy: string | null,
): Promise<Escalation> {
  const [row] = await db<Escalation[]>`
    update server.escalations e
    set status = 'responded', response = ${response}, response_note = ${note}, responded_at = now(),
        responded_by = ${respondedBy}
    where e.id = ${escalationId}
    returning ${selectList(db, Escalation, "e", computed(db))}`;
  return row;
}
