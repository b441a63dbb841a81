// Mail: the shapes of the routes added beside aweb's (docs/protocol/dashboard-api.md#get-v1messagessent).
import { t } from "elysia";
import { Page, Timestamp, Uuid } from "../http/model";

export const SentQuery = t.Object({ limit: t.Optional(t.String()), cursor: t.Optional(t.String()) });

/** An inbox item's fields, in wire order (docs/protocol/mail.md#mail-inbox). */
const inboxFields = {
  message_id: Uuid,
  from_agent_id: Uuid,
  from_alias: t.String(),
  subject: t.String(),
  body: t.String(),
  priority: t.String(),
  thread_id: t.Nullable(Uuid),
  read_at: t.Nullable(Timestamp),
  created_at: Timestamp,
};

/** The inbox item, plus the recipient. */
export const SentMessage = t.Object({ ...inboxFields, to_agent_id: Uuid, to_alias: t.String() });
export type SentMessage = typeof SentMessage.static;

export const SentPage = Page("messages", SentMessage);

export interface SentFilter {
  projectId: string;
  agentId: string;
  /** Keyset position in (created_at DESC, message_id DESC) order. */
  after: { createdAt: string; messageId: string } | null;
  limit: number;
}

/** An inbox item (docs/protocol/mail.md#mail). */
export const InboxMessage = t.Object(inboxFields);
export type InboxMessage = typeof InboxMessage.static;

export const Inbox = t.Object({ messages: t.Array(InboxMessage) });
export const MailSent = t.Object({ message_id: Uuid, status: t.String(), delivered_at: Timestamp });
export const MailAcknowledged = t.Object({ message_id: Uuid, acknowledged_at: Timestamp });
