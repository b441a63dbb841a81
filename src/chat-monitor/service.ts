// Chat monitor (human only): every chat session of the caller's project and
// any transcript (docs/protocol/dashboard-api.md#chat-monitor-human-only).
// Read-only: reading a transcript marks nothing read for anyone.
import type { Deps } from "../deps";
import type { Human } from "../auth/identity";
import { notFound, unprocessable } from "../http/errors";
import { cursorIsoTimestamp, cursorUuid, decodeCursor, normalizeUuid, page } from "../http/wire";
import { findMonitoredSession, listMonitoredSessions, listTranscript } from "./data";

export async function monitorSessions(deps: Deps, human: Human, limit: number, rawCursor: string | undefined) {
  const cursor = decodeCursor(rawCursor);
  let after: { activity: string; sessionId: string } | null = null;
  if (cursor !== null) {
    const sessionId = cursorUuid(cursor, "session_id");
    if (sessionId === null) throw unprocessable("Invalid cursor: session_id is required");
    after = { activity: cursorIsoTimestamp(cursor, "activity"), sessionId };
  }
  const rows = await listMonitoredSessions(deps.sql, { projectId: human.projectId, after, limit });
  const p = page(rows, limit, (last) => ({ activity: last.activity, session_id: last.session_id }));
  return {
    sessions: p.items.map(({ activity: _activity, ...s }) => s),
    has_more: p.has_more,
    next_cursor: p.next_cursor,
  };
}

export async function monitorTranscript(deps: Deps, human: Human, rawSessionId: string, before: string | null, limit: number) {
  const sessionId = normalizeUuid(rawSessionId);
  if (!sessionId) throw unprocessable("Invalid id format");
  const session = await findMonitoredSession(deps.sql, human.projectId, sessionId);
  if (!session) throw notFound("Session not found");
  const messages = await listTranscript(deps.sql, sessionId, before, limit);
  return { session_id: session.session_id, participants: session.participants, messages };
}
