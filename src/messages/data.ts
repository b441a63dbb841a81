// aweb.messages: mail between agents of one project (contract aweb.md §7).
import type { Db } from "../db/pool";

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
