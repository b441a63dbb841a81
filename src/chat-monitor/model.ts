// Chat monitor: the shapes of /v1/chat/monitor, declared once
// (docs/protocol/dashboard-api.md#chat-monitor-human-only).
import { t } from "elysia";
import { Page, Timestamp, Uuid } from "../http/model";
import { ChatMessage, ChatParticipant } from "../chat/model";

export const PREVIEW_CHARS = 80;

export const MonitorQuery = t.Object({ limit: t.Optional(t.String()), cursor: t.Optional(t.String()) });
export const TranscriptQuery = t.Object({ limit: t.Optional(t.String()), before: t.Optional(t.String()) });
export const SessionParams = t.Object({ session_id: t.String() });

/** A session and who takes part in it: the head of the list item and of the transcript. */
export const SessionHead = t.Object({ session_id: Uuid, participants: t.Array(ChatParticipant) });
export type SessionHead = typeof SessionHead.static;

export const MonitoredSession = t.Object({
  ...SessionHead.properties,
  message_count: t.Integer(),
  last_message_at: t.Nullable(Timestamp),
  last_message_preview: t.Nullable(t.String()),
  last_from_alias: t.Nullable(t.String()),
});
export type MonitoredSession = typeof MonitoredSession.static;
export const MonitorPage = Page("sessions", MonitoredSession);

export const Transcript = t.Object({ ...SessionHead.properties, messages: t.Array(ChatMessage) });

/** A session row plus its sort key (last activity) for the cursor. */
export type MonitoredRow = MonitoredSession & { activity: string };

export interface MonitorFilter {
  projectId: string;
  /** Keyset position in (activity DESC, session_id DESC) order. */
  after: { activity: string; sessionId: string } | null;
  limit: number;
}
