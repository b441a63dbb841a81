// Chat: the answers of /v1/chat (docs/protocol/projects.md#projects-storage-facts), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

export const ChatParticipant = t.Object({ agent_id: Uuid, alias: t.String() });
export type ChatParticipant = typeof ChatParticipant.static;

export const ChatStarted = t.Object({
  session_id: Uuid,
  message_id: Uuid,
  participants: t.Array(ChatParticipant),
  sse_url: t.String(),
  targets_connected: t.Array(t.String()),
  targets_left: t.Array(t.String()),
});

export const ChatSession = t.Object({
  session_id: Uuid,
  participants: t.Array(t.String()),
  created_at: t.String(),
  sender_waiting: t.Boolean(),
});
export type ChatSession = typeof ChatSession.static;

export const ChatSessions = t.Object({ sessions: t.Array(ChatSession) });

export const PendingChat = t.Object({
  session_id: Uuid,
  participants: t.Array(t.String()),
  last_message: t.String(),
  last_from: t.String(),
  unread_count: t.Integer(),
  last_activity: t.String(),
  sender_waiting: t.Boolean(),
  time_remaining_seconds: t.Integer(),
});
export type PendingChat = typeof PendingChat.static;

export const ChatPending = t.Object({ pending: t.Array(PendingChat), messages_waiting: t.Integer() });

/** A message as history answers it (the chat monitor's transcript too). */
export const ChatMessage = t.Object({
  message_id: Uuid,
  from_agent: t.String(),
  body: t.String(),
  timestamp: Timestamp,
  sender_leaving: t.Boolean(),
});
export type ChatMessage = typeof ChatMessage.static;

export const ChatHistory = t.Object({ messages: t.Array(ChatMessage) });

export const ChatSent = t.Object({ message_id: Uuid, delivered: t.Boolean(), extends_wait_seconds: t.Integer() });
export const ChatRead = t.Object({ success: t.Boolean(), messages_marked: t.Integer() });

// Rows between data.ts and service.ts (not on the wire as they are).

/** A session of the list, with every participant's id to tell whether someone else is waiting. */
export type SessionListRow = Omit<ChatSession, "sender_waiting"> & { participant_ids: string[] };

/** A pending session: its wire fields the query knows, plus what sender_waiting is computed from. */
export type PendingRow = Omit<PendingChat, "sender_waiting" | "time_remaining_seconds"> & {
  created_at: string;
  participant_ids: string[];
};
