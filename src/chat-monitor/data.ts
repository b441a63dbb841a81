// Chat monitor: SQL only, over aweb's chat tables, always scoped by project.
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { ChatMessage } from "../chat/model";
import { MonitoredSession, PREVIEW_CHARS, SessionHead, type MonitorFilter, type MonitoredRow } from "./model";

const participantsOf = (db: Db, session: ReturnType<Db>) => db`coalesce((
  select json_agg(json_build_object('agent_id', p.agent_id, 'alias', p.alias) order by p.alias, p.agent_id)
  from aweb.chat_session_participants p where p.session_id = ${session}), '[]'::json)`;

/** The project's sessions, most recent activity (last message, else creation) first; limit+1 rows. */
export async function listMonitoredSessions(db: Db, f: MonitorFilter): Promise<MonitoredRow[]> {
  return db<MonitoredRow[]>`
    select ${selectList(db, MonitoredSession, "x")}, x.activity
    from (
      select s.session_id,
             ${participantsOf(db, db`s.session_id`)} as participants,
             (select count(*)::int from aweb.chat_messages c where c.session_id = s.session_id) as message_count,
             last.created_at as last_message_at,
             left(last.body, ${PREVIEW_CHARS}) as last_message_preview,
             last.from_alias as last_from_alias,
             coalesce(last.created_at, s.created_at) as activity
      from aweb.chat_sessions s
      left join lateral (
        select m.body, m.from_alias, m.created_at from aweb.chat_messages m
        where m.session_id = s.session_id
        order by m.created_at desc, m.message_id desc
        limit 1) last on true
      where s.project_id = ${f.projectId}) x
    ${f.after === null ? db`` : db`where (x.activity, x.session_id) < (${f.after.activity}::timestamptz, ${f.after.sessionId}::uuid)`}
    order by x.activity desc, x.session_id desc
    limit ${f.limit + 1}`;
}

/** A session of the project with its participants, or null. */
export async function findMonitoredSession(
  db: Db,
  projectId: string,
  sessionId: string,
): Promise<SessionHead | null> {
  const rows = await db<SessionHead[]>`
    select ${selectList(db, SessionHead, "s", { participants: participantsOf(db, db`s.session_id`) })}
    from aweb.chat_sessions s
    where s.session_id = ${sessionId} and s.project_id = ${projectId}`;
  return rows[0] ?? null;
}

/** The latest `limit` messages (older than `before`, when given), oldest first. */
export async function listTranscript(db: Db, sessionId: string, before: string | null, limit: number): Promise<ChatMessage[]> {
  const rows = await db<ChatMessage[]>`
    select ${selectList(db, ChatMessage, "m", { from_agent: db`m.from_alias`, timestamp: db`m.created_at` })}
    from aweb.chat_messages m
    where m.session_id = ${sessionId}
      ${before === null ? db`` : db`and m.created_at < ${before}::timestamptz`}
    order by m.created_at desc, m.message_id desc
    limit ${limit}`;
  return rows.reverse();
}
