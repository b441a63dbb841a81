// aweb chat tables (docs/protocol/chat.md#chat, docs/protocol/projects.md#projects-storage-facts): sessions, participants, messages
// and read receipts. Timestamps stay DB text with microseconds (db/pool.ts);
// every time value is stamped by Postgres, never by the app (docs/protocol/chat.md#chat-ordering-and-unread).
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { ChatParticipant, type PendingRow, type SessionListRow } from "./model";

export interface SessionAccess {
  session_id: string;
  /** The caller's participant alias; null when the caller is not a participant. */
  my_alias: string | null;
}

export interface ChatMessageRow {
  message_id: string;
  from_agent_id: string;
  from_alias: string;
  body: string;
  created_at: string;
  sender_leaving: boolean;
  hang_on: boolean;
}

export interface InsertedChatMessage {
  message_id: string;
  created_at: string;
}

/** Session in the caller's project (foreign sessions look missing, docs/protocol/projects.md#projects-isolation). */
export async function findSession(db: Db, projectId: string, sessionId: string, agentId: string): Promise<SessionAccess | null> {
  const rows = await db<SessionAccess[]>`
    select s.session_id, p.alias as my_alias
    from aweb.chat_sessions s
    left join aweb.chat_session_participants p
      on p.session_id = s.session_id and p.agent_id = ${agentId}
    where s.session_id = ${sessionId} and s.project_id = ${projectId}`;
  return rows[0] ?? null;
}

/**
 * Find or create the session of a participant set and lock its row until the
 * transaction ends. ON CONFLICT DO NOTHING makes concurrent creates of the same
 * set converge without aborting the transaction (docs/protocol/agents.md#agents-classic-prefixes).
 */
export async function ensureLockedSession(db: Db, projectId: string, participantHash: string): Promise<string> {
  await db`
    insert into aweb.chat_sessions (project_id, participant_hash)
    values (${projectId}, ${participantHash})
    on conflict (project_id, participant_hash) do nothing`;
  const rows = await db<{ session_id: string }[]>`
    select session_id from aweb.chat_sessions
    where project_id = ${projectId} and participant_hash = ${participantHash}
    for no key update`;
  return rows[0].session_id;
}

/**
 * Serialize writers of one session. Messages are stamped with clock_timestamp()
 * while this lock is held, so created_at order equals commit order and a stream
 * that has seen a message can never later be handed an older one (the stream's
 * keyset watermark relies on it).
 */
export async function lockSession(db: Db, sessionId: string): Promise<void> {
  await db`select session_id from aweb.chat_sessions where session_id = ${sessionId} for no key update`;
}

/** Add participants; an existing row gets its alias snapshot refreshed (docs/protocol/chat.md#chat-create-or-send). */
export async function upsertParticipants(db: Db, sessionId: string, participants: ChatParticipant[]): Promise<void> {
  await db`
    insert into aweb.chat_session_participants (session_id, agent_id, alias)
    select ${sessionId}, p.agent_id, p.alias
    from unnest(${participants.map((p) => p.agent_id)}::uuid[], ${participants.map((p) => p.alias)}::text[])
      as p(agent_id, alias)
    on conflict (session_id, agent_id) do update set alias = excluded.alias`;
}

export async function insertChatMessage(
  db: Db,
  m: { sessionId: string; fromAgentId: string; fromAlias: string; body: string; leaving: boolean; hangOn: boolean },
): Promise<InsertedChatMessage> {
  const rows = await db<InsertedChatMessage[]>`
    insert into aweb.chat_messages (session_id, from_agent_id, from_alias, body, sender_leaving, hang_on, created_at)
    values (${m.sessionId}, ${m.fromAgentId}, ${m.fromAlias}, ${m.body}, ${m.leaving}, ${m.hangOn}, clock_timestamp())
    returning message_id, created_at`;
  return rows[0];
}

/** Point the agent's receipt at a message (sending marks everything up to it read). */
export async function advanceReceiptTo(db: Db, sessionId: string, agentId: string, message: InsertedChatMessage): Promise<void> {
  await db`
    insert into aweb.chat_read_receipts (session_id, agent_id, last_read_message_id, last_read_at)
    values (${sessionId}, ${agentId}, ${message.message_id}, ${message.created_at}::timestamptz)
    on conflict (session_id, agent_id) do update
      set last_read_message_id = excluded.last_read_message_id, last_read_at = excluded.last_read_at`;
}

/** Participants ordered by alias (bytewise, so the order does not depend on the DB locale). */
export async function listParticipants(db: Db, sessionId: string): Promise<ChatParticipant[]> {
  return db<ChatParticipant[]>`
    select ${selectList(db, ChatParticipant, "p")} from aweb.chat_session_participants p
    where p.session_id = ${sessionId}
    order by p.alias collate "C", p.agent_id`;
}

/** Of these agents, those whose most recent message in the session says they left. */
export async function agentsWhoLeft(db: Db, sessionId: string, agentIds: string[]): Promise<Set<string>> {
  if (agentIds.length === 0) return new Set();
  const rows = await db<{ from_agent_id: string }[]>`
    select from_agent_id from (
      select distinct on (from_agent_id) from_agent_id, sender_leaving
      from aweb.chat_messages
      where session_id = ${sessionId} and from_agent_id = any(${agentIds}::uuid[])
      order by from_agent_id, created_at desc, message_id desc
    ) latest
    where sender_leaving`;
  return new Set(rows.map((r) => r.from_agent_id));
}

/** Sessions the agent takes part in, newest first (docs/protocol/chat.md#chat-sessions). */
export async function listSessionsOf(db: Db, projectId: string, agentId: string): Promise<SessionListRow[]> {
  return db<SessionListRow[]>`
    select s.session_id, s.created_at,
      array(select p.alias from aweb.chat_session_participants p
            where p.session_id = s.session_id order by p.alias collate "C", p.agent_id) as participants,
      array(select p.agent_id::text from aweb.chat_session_participants p
            where p.session_id = s.session_id) as participant_ids
    from aweb.chat_sessions s
    join aweb.chat_session_participants me on me.session_id = s.session_id and me.agent_id = ${agentId}
    where s.project_id = ${projectId}
    order by s.created_at desc, s.session_id desc`;
}

/**
 * Sessions with messages from others newer than the agent's receipt (epoch when
 * there is none), most recent activity first (docs/protocol/chat.md#chat-pending).
 * The column list is written out, not built by selectList: pending is a hot path.
 */
export async function listPendingOf(db: Db, projectId: string, agentId: string): Promise<PendingRow[]> {
  return db<PendingRow[]>`
    select s.session_id, s.created_at, unread.n as unread_count,
      last.body as last_message, last.from_alias as last_from, last.created_at as last_activity,
      array(select p.alias from aweb.chat_session_participants p
            where p.session_id = s.session_id order by p.alias collate "C", p.agent_id) as participants,
      array(select p.agent_id::text from aweb.chat_session_participants p
            where p.session_id = s.session_id) as participant_ids
    from aweb.chat_sessions s
    join aweb.chat_session_participants me on me.session_id = s.session_id and me.agent_id = ${agentId}
    left join aweb.chat_read_receipts r on r.session_id = s.session_id and r.agent_id = ${agentId}
    cross join lateral (
      select count(*)::int as n from aweb.chat_messages m
      where m.session_id = s.session_id and m.from_agent_id <> ${agentId}
        and m.created_at > coalesce(r.last_read_at, '-infinity'::timestamptz)
    ) unread
    cross join lateral (
      select m.body, m.from_alias, m.created_at from aweb.chat_messages m
      where m.session_id = s.session_id
      order by m.created_at desc, m.message_id desc
      limit 1
    ) last
    where s.project_id = ${projectId} and unread.n > 0
    order by last.created_at desc, s.session_id desc`;
}

/** Unread mail (not chat) of the agent: `messages_waiting` in /v1/chat/pending (docs/protocol/chat.md#chat-pending). */
export async function countUnreadMail(db: Db, projectId: string, agentId: string): Promise<number> {
  const rows = await db<{ n: number }[]>`
    select count(*)::int as n from aweb.messages
    where project_id = ${projectId} and to_agent_id = ${agentId} and read_at is null`;
  return rows[0].n;
}

/** The latest `limit` messages, returned oldest first; unread = from others and newer than my receipt. */
export async function listHistory(
  db: Db,
  sessionId: string,
  agentId: string,
  unreadOnly: boolean,
  limit: number,
): Promise<ChatMessageRow[]> {
  const unread = unreadOnly
    ? db`and from_agent_id <> ${agentId} and created_at > coalesce(
        (select last_read_at from aweb.chat_read_receipts where session_id = ${sessionId} and agent_id = ${agentId}),
        '-infinity'::timestamptz)`
    : db``;
  const rows = await db<ChatMessageRow[]>`
    select message_id, from_agent_id, from_alias, body, created_at, sender_leaving, hang_on
    from aweb.chat_messages
    where session_id = ${sessionId} ${unread}
    order by created_at desc, message_id desc
    limit ${limit}`;
  return rows.reverse();
}

/** Position in a session's message order: (created_at text, message_id). */
export interface Watermark {
  ts: string;
  id: string;
}

export const MIN_UUID = "00000000-0000-0000-0000-000000000000";
export const MAX_UUID = "ffffffff-ffff-ffff-ffff-ffffffffffff";

/** Messages strictly after the watermark in (created_at, message_id) order. */
export async function listMessagesAfter(db: Db, sessionId: string, after: Watermark, limit: number): Promise<ChatMessageRow[]> {
  return db<ChatMessageRow[]>`
    select message_id, from_agent_id, from_alias, body, created_at, sender_leaving, hang_on
    from aweb.chat_messages
    where session_id = ${sessionId}
      and (created_at, message_id) > (${after.ts}::timestamptz, ${after.id}::uuid)
    order by created_at, message_id
    limit ${limit}`;
}

export interface ReceiptRow {
  agent_id: string;
  alias: string;
  last_read_message_id: string | null;
  last_read_at: string;
}

/** Receipts of everyone but the viewer, oldest stamp first. */
export async function listOtherReceipts(db: Db, sessionId: string, viewerId: string): Promise<ReceiptRow[]> {
  return db<ReceiptRow[]>`
    select r.agent_id, p.alias, r.last_read_message_id, r.last_read_at
    from aweb.chat_read_receipts r
    join aweb.chat_session_participants p on p.session_id = r.session_id and p.agent_id = r.agent_id
    where r.session_id = ${sessionId} and r.agent_id <> ${viewerId} and r.last_read_at is not null
    order by r.last_read_at, r.agent_id`;
}

export async function messageExistsIn(db: Db, sessionId: string, messageId: string): Promise<boolean> {
  const rows = await db`
    select 1 from aweb.chat_messages where message_id = ${messageId} and session_id = ${sessionId}`;
  return rows.length > 0;
}

/**
 * Mark read up to a message (docs/protocol/chat.md#chat-mark-read): count others' messages between the
 * old receipt and the message, then stamp the receipt with the DB's now() —
 * the call time, not the message time (docs/protocol/chat.md). The receipt row is locked so
 * two concurrent calls by one agent do not count the same messages twice.
 */
export async function markReadUpTo(db: Db, sessionId: string, agentId: string, messageId: string): Promise<number> {
  await db`
    select 1 from aweb.chat_read_receipts
    where session_id = ${sessionId} and agent_id = ${agentId} for update`;
  const rows = await db<{ n: number }[]>`
    select count(*)::int as n from aweb.chat_messages m
    where m.session_id = ${sessionId} and m.from_agent_id <> ${agentId}
      and m.created_at > coalesce(
        (select last_read_at from aweb.chat_read_receipts where session_id = ${sessionId} and agent_id = ${agentId}),
        '-infinity'::timestamptz)
      and m.created_at <= (select created_at from aweb.chat_messages where message_id = ${messageId})`;
  await db`
    insert into aweb.chat_read_receipts (session_id, agent_id, last_read_message_id, last_read_at)
    values (${sessionId}, ${agentId}, ${messageId}, now())
    on conflict (session_id, agent_id) do update
      set last_read_message_id = excluded.last_read_message_id, last_read_at = excluded.last_read_at`;
  return rows[0].n;
}

/** The project's live agents with these aliases (case-sensitive), in no particular order. */
export async function findLiveAgentsByAlias(db: Db, projectId: string, aliases: string[]): Promise<ChatParticipant[]> {
  return db<ChatParticipant[]>`
    select ${selectList(db, ChatParticipant, "a")} from aweb.agents a
    where a.project_id = ${projectId} and a.alias = any(${aliases}::text[]) and a.deleted_at is null`;
}
