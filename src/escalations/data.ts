// server.escalations (contract beadhub.md §16.1).
//
// Expiry (§20 Q2, docs/decisions.md): a pending escalation whose expires_at has
// passed reads as "expired" everywhere. The stored status is never rewritten;
// the effective status is computed in SQL, so the list filter, the detail and
// respond agree without a sweeper.
import type { Db } from "../db/pool";

export interface NewEscalation {
  projectId: string;
  workspaceId: string;
  alias: string;
  memberEmail: string | null;
  subject: string;
  situation: string;
  options: string[] | null;
  expiresInHours: number;
}

export interface CreatedEscalation {
  escalation_id: string;
  status: string;
  created_at: string;
  expires_at: string | null;
}

export async function insertEscalation(db: Db, e: NewEscalation): Promise<CreatedEscalation> {
  const rows = await db<CreatedEscalation[]>`
    insert into server.escalations
      (project_id, workspace_id, alias, member_email, subject, situation, options, status, created_at, expires_at)
    values (${e.projectId}, ${e.workspaceId}, ${e.alias}, ${e.memberEmail}, ${e.subject}, ${e.situation},
            ${e.options === null ? null : db.json(e.options)}, 'pending', now(),
            now() + make_interval(hours => ${e.expiresInHours}::int))
    returning id as escalation_id, status, created_at, expires_at`;
  return rows[0];
}

/** Live workspace (any project) for the create checks. */
export async function findLiveWorkspace(
  db: Db,
  workspaceId: string,
): Promise<{ project_id: string; alias: string } | null> {
  const rows = await db<{ project_id: string; alias: string }[]>`
    select project_id, alias from server.workspaces
    where workspace_id = ${workspaceId} and deleted_at is null`;
  return rows[0] ?? null;
}

export async function isLiveWorkspaceOf(db: Db, projectId: string, workspaceId: string): Promise<boolean> {
  const rows = await db`
    select 1 from server.workspaces
    where workspace_id = ${workspaceId} and project_id = ${projectId} and deleted_at is null`;
  return rows.length > 0;
}

export interface ListFilter {
  projectId: string;
  workspaceId: string | null;
  repoId: string | null;
  status: string | null;
  alias: string | null;
  before: string | null;
  limit: number;
}

export interface EscalationSummary {
  escalation_id: string;
  alias: string;
  subject: string;
  status: string;
  created_at: string;
  expires_at: string | null;
}

export async function listEscalations(db: Db, f: ListFilter): Promise<EscalationSummary[]> {
  const status = db`(case when e.status = 'pending' and e.expires_at <= now() then 'expired' else e.status end)`;
  return db<EscalationSummary[]>`
    select e.id as escalation_id, e.alias, e.subject, ${status} as status, e.created_at, e.expires_at
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

export interface EscalationDetail {
  escalation_id: string;
  workspace_id: string;
  alias: string;
  member_email: string | null;
  subject: string;
  situation: string;
  options: unknown;
  status: string;
  response: string | null;
  response_note: string | null;
  created_at: string;
  responded_at: string | null;
  expires_at: string | null;
}

/** Only escalations whose workspace is live are visible (§16.1). */
export async function findEscalation(
  db: Db,
  projectId: string,
  escalationId: string,
  workspaceId: string | null,
): Promise<EscalationDetail | null> {
  const rows = await db<EscalationDetail[]>`
    select e.id as escalation_id, e.workspace_id, e.alias, e.member_email, e.subject, e.situation, e.options,
           case when e.status = 'pending' and e.expires_at <= now() then 'expired' else e.status end as status,
           e.response, e.response_note, e.created_at, e.responded_at, e.expires_at
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

export interface RespondedEscalation {
  escalation_id: string;
  workspace_id: string;
  status: string;
  response: string;
  response_note: string | null;
  responded_at: string;
}

export async function recordResponse(
  db: Db,
  escalationId: string,
  response: string,
  note: string | null,
): Promise<RespondedEscalation> {
  const rows = await db<RespondedEscalation[]>`
    update server.escalations
    set status = 'responded', response = ${response}, response_note = ${note}, responded_at = now()
    where id = ${escalationId}
    returning id as escalation_id, workspace_id, status, response, response_note, responded_at`;
  return rows[0];
}
