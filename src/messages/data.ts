// aweb.messages: mail between agents of one project (docs/protocol/mail.md#mail).
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { SentMessage, type InboxMessage, type SentFilter } from "./model";

export interface NewMessage {
  projectId: string;
  fromAgentId: string;
  fromAlias: string;
  toAgentId: string;
  subject: string;
  body: string;
  priority: "low" | "normal" | "high" | "urgent";
  threadId: string | null;
}

export interface InsertedMessage {
  message_id: string;
  created_at: string;
}

/** Insert one message; the caller has already checked that the recipient is a live agent of the project. */
export async function insertMessage(db: Db, m: NewMessage): Promise<InsertedMessage> {
  const rows = await db<InsertedMessage[]>`
    insert into aweb.messages (project_id, from_agent_id, to_agent_id, from_alias, subject, body, priority, thread_id)
    values (${m.projectId}, ${m.fromAgentId}, ${m.toAgentId}, ${m.fromAlias}, ${m.subject}, ${m.body},
            ${m.priority}, ${m.threadId})
    returning message_id, created_at`;
  return rows[0];
}

export interface Recipient {
  agent_id: string;
  alias: string;
  project_slug: string;
}

/** A live agent of the project by id, or by exact (case-sensitive) alias; null when absent. */
export async function findRecipient(
  db: Db,
  projectId: string,
  by: { agentId: string } | { alias: string },
): Promise<Recipient | null> {
  const match = "agentId" in by ? db`a.agent_id = ${by.agentId}` : db`a.alias = ${by.alias}`;
  const rows = await db<Recipient[]>`
    select a.agent_id, a.alias, p.slug as project_slug
    from aweb.agents a
    join aweb.projects p on p.project_id = a.project_id
    where a.project_id = ${projectId} and a.deleted_at is null and ${match}`;
  return rows[0] ?? null;
}

/**
 * Messages to an agent, newest first (docs/protocol/mail.md#mail-inbox); message_id breaks ties.
 * The column list is written out, not built by selectList: the inbox is a hot path.
 */
export async function listInbox(
  db: Db,
  projectId: string,
  agentId: string,
  unreadOnly: boolean,
  limit: number,
  messageId: string | null = null,
): Promise<InboxMessage[]> {
  return db<InboxMessage[]>`
    select message_id, from_agent_id, from_alias, subject, body, priority, thread_id, read_at, created_at
    from aweb.messages
    where project_id = ${projectId} and to_agent_id = ${agentId}
      ${unreadOnly ? db`and read_at is null` : db``}
      ${messageId !== null ? db`and message_id = ${messageId}` : db``}
    order by created_at desc, message_id desc
    limit ${limit}`;
}

/** The recipient of a message in the project, or null when it is not there. */
export async function findMessageRecipient(db: Db, projectId: string, messageId: string): Promise<string | null> {
  const rows = await db<{ to_agent_id: string }[]>`
    select to_agent_id from aweb.messages
    where project_id = ${projectId} and message_id = ${messageId}`;
  return rows[0]?.to_agent_id ?? null;
}

/** Mark read once: a second ack keeps and returns the first read time (docs/protocol/mail.md#mail-acknowledge). */
export async function acknowledgeMessage(db: Db, projectId: string, messageId: string, agentId: string): Promise<string | null> {
  const rows = await db<{ read_at: string }[]>`
    update aweb.messages set read_at = coalesce(read_at, now())
    where project_id = ${projectId} and message_id = ${messageId} and to_agent_id = ${agentId}
    returning read_at`;
  return rows[0]?.read_at ?? null;
}

/** Mail the agent sent, newest first, limit+1 rows; the recipient's alias as it is now. */
export async function listSent(db: Db, f: SentFilter): Promise<SentMessage[]> {
  return db<SentMessage[]>`
    select ${selectList(db, SentMessage, "m", { to_alias: db`a.alias` })}
    from aweb.messages m
    join aweb.agents a on a.agent_id = m.to_agent_id
    where m.project_id = ${f.projectId} and m.from_agent_id = ${f.agentId}
      ${f.after === null ? db`` : db`and (m.created_at, m.message_id) < (${f.after.createdAt}::timestamptz, ${f.after.messageId}::uuid)`}
    order by m.created_at desc, m.message_id desc
    limit ${f.limit + 1}`;
}
