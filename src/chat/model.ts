// Chat: the answers of /v1/chat (docs/protocol/projects.md#projects-storage-facts), declared once.
import { t } from "elysia";
import { Uuid } from "../http/model";

export const ChatStarted = t.Object({
  session_id: Uuid,
  message_id: Uuid,
  participants: t.Array(t.Object({ agent_id: Uuid, alias: t.String() })),
  sse_url: t.String(),
  targets_connected: t.Array(t.String()),
  targets_left: t.Array(t.String()),
});

export const ChatSessions = t.Object({
  sessions: t.Array(
    t.Object({ session_id: Uuid, participants: t.Array(t.String()), created_at: t.String(), sender_waiting: t.Boolean() }),
  ),
});

export const ChatPending = t.Object({
  pending: t.Array(
    t.Object({
      session_id: Uuid,
      participants: t.Array(t.String()),
      last_message: t.String(),
      last_from: t.String(),
      unread_count: t.Integer(),
      last_activity: t.String(),
      sender_waiting: t.Boolean(),
      time_remaining_seconds: t.Integer(),
    }),
  ),
  messages_waiting: t.Integer(),
});

export const ChatHistory = t.Object({
  messages: t.Array(
    t.Object({
      message_id: Uuid,
      from_agent: t.String(),
      body: t.String(),
      timestamp: t.String(),
      sender_leaving: t.Boolean(),
    }),
  ),
});

export const ChatSent = t.Object({ message_id: Uuid, delivered: t.Boolean(), extends_wait_seconds: t.Integer() });
export const ChatRead = t.Object({ success: t.Boolean(), messages_marked: t.Integer() });
