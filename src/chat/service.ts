// Chat operations (docs/protocol/chat.md#chat). Writes to a session run under its row
// lock (data.ts lockSession) and, once committed, publish a wake-up on the
// session's bus channel so open streams on any instance query right away.
import { createHash } from "node:crypto";
import type { Actor } from "../auth/identity";
import type { Deps } from "../deps";
import { badRequest, forbidden, invalid, notFound } from "../http/errors";
import { parseAlias } from "../http/field-rules";
import { channels } from "../redis/keys";
import {
  advanceReceiptTo,
  agentsWhoLeft,
  countUnreadMail,
  ensureLockedSession,
  findSession,
  insertChatMessage,
  findLiveAgentsByAlias,
  listParticipants,
  listHistory,
  listMessagesAfter,
  listPendingOf,
  listSessionsOf,
  lockSession,
  markReadUpTo,
  messageExistsIn,
  upsertParticipants,
  type ChatMessageRow,
} from "./data";
import type { ChatMessage, ChatParticipant } from "./model";
import { registerWaiting, unregisterWaiting, waitingBySession, waitingOn } from "./waiting";
import { presenceSlug, publishWorkspaceEvent } from "../events/publish";

/** Characters of a chat body an event carries (docs/protocol/events.md). */
const PREVIEW_CHARS = 80;

/**
 * chat.message_sent on every participant's channel (after commit), so a
 * dashboard watching any one of them sees the conversation live
 * (docs/protocol/dashboard-api.md#events-added-eventsmd).
 */
async function publishChatSent(
  deps: Deps,
  actor: Actor,
  fromAlias: string,
  sessionId: string,
  messageId: string,
  participants: ChatParticipant[],
  body: string,
): Promise<void> {
  const slug = await presenceSlug(deps, actor.agentId);
  const fields = {
    session_id: sessionId,
    message_id: messageId,
    from_alias: fromAlias,
    to_aliases: participants.filter((p) => p.agent_id !== actor.agentId).map((p) => p.alias),
    preview: [...body].slice(0, PREVIEW_CHARS).join(""),
    project_id: actor.projectId,
  };
  await Promise.all(participants.map((p) => publishWorkspaceEvent(deps, p.agent_id, "chat.message_sent", slug, fields)));
}

/** Session identity: SHA-256 hex of the sorted, de-duplicated agent UUIDs joined by "," (docs/protocol/chat.md#chat). */
export function participantHash(agentIds: string[]): string {
  return createHash("sha256").update([...new Set(agentIds)].sort().join(",")).digest("hex");
}

/** Tell every stream on the session to look for new rows (after commit only). */
export function wakeStreams(deps: Deps, sessionId: string, what: "message" | "read"): Promise<void> {
  return deps.bus.publish(channels.chatSession(sessionId), what);
}

/**
 * The session as seen by the actor: 404 when it is not in the actor's project,
 * 403 when the actor is not a participant. Returns the actor's participant alias.
 */
export async function accessSession(deps: Deps, actor: Actor, sessionId: string, forbiddenDetail: string): Promise<string> {
  const session = await findSession(deps.sql, actor.projectId, sessionId, actor.agentId);
  if (!session) throw notFound("Session not found");
  if (session.my_alias === null) throw forbidden(forbiddenDetail);
  return session.my_alias;
}

/** Trim, drop blanks, validate, de-duplicate (aweb-3bd1 behaviour, docs/protocol/chat.md#chat-create-or-send). */
function cleanAliases(raw: string[]): string[] {
  const out: string[] = [];
  raw.forEach((value, i) => {
    const alias = value.trim();
    if (alias === "") return;
    parseAlias(alias, ["body", "to_aliases", i]);
    if (!out.includes(alias)) out.push(alias);
  });
  if (out.length === 0) throw invalid(["body", "to_aliases"], "to_aliases must contain at least one alias", raw, "too_short");
  return out;
}

async function resolveAliases(deps: Deps, projectId: string, aliases: string[]): Promise<ChatParticipant[]> {
  const rows = await findLiveAgentsByAlias(deps.sql, projectId, aliases);
  return aliases.map((alias) => {
    const found = rows.find((r) => r.alias === alias);
    if (!found) throw notFound("Agent not found");
    return found;
  });
}

export async function createOrSend(deps: Deps, actor: Actor, input: { to_aliases: string[]; message: string; leaving?: boolean }) {
  const aliases = cleanAliases(input.to_aliases);
  // Case-sensitive, like alias lookups (docs/protocol/chat.md).
  if (aliases.includes(actor.alias)) throw badRequest("Self-chat is not supported");
  const targets = await resolveAliases(deps, actor.projectId, aliases);
  const targetIds = targets.map((t) => t.agent_id);
  const hash = participantHash([actor.agentId, ...targetIds]);

  const done = await deps.sql.begin(async (tx) => {
    const sessionId = await ensureLockedSession(tx, actor.projectId, hash);
    await upsertParticipants(tx, sessionId, [{ agent_id: actor.agentId, alias: actor.alias }, ...targets]);
    const message = await insertChatMessage(tx, {
      sessionId,
      fromAgentId: actor.agentId,
      fromAlias: actor.alias,
      body: input.message,
      leaving: input.leaving ?? false,
      hangOn: false,
    });
    await advanceReceiptTo(tx, sessionId, actor.agentId, message);
    const participants = await listParticipants(tx, sessionId);
    const left = await agentsWhoLeft(tx, sessionId, targetIds);
    return { sessionId, message, participants, left };
  });
  const sent = done.message;
  await wakeStreams(deps, done.sessionId, "message");
  await publishChatSent(deps, actor, actor.alias, done.sessionId, done.message.message_id, done.participants, input.message);
  const waiting = await waitingOn(deps, done.sessionId);
  return {
    session_id: done.sessionId,
    message_id: done.message.message_id,
    participants: done.participants,
    sse_url: `/v1/chat/sessions/${done.sessionId}/stream`,
    targets_connected: targets.filter((t) => waiting.has(t.agent_id)).map((t) => t.alias),
    targets_left: targets.filter((t) => done.left.has(t.agent_id)).map((t) => t.alias),
    /** Where the new message sits (for waitForReplies); not part of the REST answer. */
    sent_at: sent.created_at,
  };
}

export async function sendInSession(deps: Deps, actor: Actor, sessionId: string, body: string, hangOn: boolean) {
  const alias = await accessSession(deps, actor, sessionId, "Not authorized to send messages to this session");
  const { message, participants } = await deps.sql.begin(async (tx) => {
    await lockSession(tx, sessionId);
    const m = await insertChatMessage(tx, { sessionId, fromAgentId: actor.agentId, fromAlias: alias, body, leaving: false, hangOn });
    await advanceReceiptTo(tx, sessionId, actor.agentId, m);
    return { message: m, participants: await listParticipants(tx, sessionId) };
  });
  await wakeStreams(deps, sessionId, "message");
  await publishChatSent(deps, actor, alias, sessionId, message.message_id, participants, body);
  return {
    message_id: message.message_id,
    delivered: true,
    extends_wait_seconds: hangOn ? 300 : 0,
    /** Where the new message sits (for waitForReplies); not part of the REST answer. */
    sent_at: message.created_at,
  };
}

export async function markRead(deps: Deps, actor: Actor, sessionId: string, upToMessageId: string) {
  await accessSession(deps, actor, sessionId, "Not authorized for this session");
  if (!(await messageExistsIn(deps.sql, sessionId, upToMessageId))) throw notFound("Message not found");
  const marked = await deps.sql.begin((tx) => markReadUpTo(tx, sessionId, actor.agentId, upToMessageId));
  await wakeStreams(deps, sessionId, "read");
  return { success: true, messages_marked: marked };
}

const someoneElseWaiting = (waiting: Set<string> | undefined, participantIds: string[], me: string) =>
  participantIds.some((id) => id !== me && waiting?.has(id));

export async function listSessions(deps: Deps, actor: Actor) {
  const rows = await listSessionsOf(deps.sql, actor.projectId, actor.agentId);
  const waiting = await waitingBySession(deps, rows.map((r) => r.session_id));
  return {
    sessions: rows.map((r) => ({
      session_id: r.session_id,
      participants: r.participants,
      created_at: r.created_at,
      sender_waiting: someoneElseWaiting(waiting.get(r.session_id), r.participant_ids, actor.agentId),
    })),
  };
}

export async function listPending(deps: Deps, actor: Actor) {
  const [rows, mail] = await Promise.all([
    listPendingOf(deps.sql, actor.projectId, actor.agentId),
    countUnreadMail(deps.sql, actor.projectId, actor.agentId),
  ]);
  const waiting = await waitingBySession(deps, rows.map((r) => r.session_id));
  return {
    pending: rows.map((r) => ({
      session_id: r.session_id,
      participants: r.participants,
      last_message: r.last_message,
      last_from: r.last_from,
      unread_count: r.unread_count,
      last_activity: r.last_activity,
      sender_waiting: someoneElseWaiting(waiting.get(r.session_id), r.participant_ids, actor.agentId),
      // No source defines a real value (docs/protocol/chat.md#chat-pending).
      time_remaining_seconds: 0,
    })),
    messages_waiting: mail,
  };
}

/** The latest messages of a session the actor takes part in, oldest first (the REST history item shape). */
export async function history(deps: Deps, actor: Actor, sessionId: string, unreadOnly: boolean, limit: number) {
  await accessSession(deps, actor, sessionId, "Not authorized for this session");
  const rows = await listHistory(deps.sql, sessionId, actor.agentId, unreadOnly, limit);
  return { messages: rows.map(historyItem) };
}

const historyItem = (m: ChatMessageRow): ChatMessage => ({
  message_id: m.message_id,
  from_agent: m.from_alias,
  body: m.body,
  timestamp: m.created_at,
  sender_leaving: m.sender_leaving,
});

/**
 * Wait up to `seconds` for messages from the other participants after one of
 * the actor's own (chat_send with a wait). While waiting the actor counts as
 * connected to the session, like an open stream (sender_waiting for the
 * others). Woken by the session's bus channel, with a 1 s poll as a floor.
 */
export async function waitForReplies(
  deps: Deps,
  actor: Actor,
  sessionId: string,
  after: { ts: string; id: string },
  seconds: number,
  signal: AbortSignal,
) {
  const deadline = Date.now() + seconds * 1000;
  let wake: (() => void) | null = null;
  const unsubscribe = deps.bus.subscribe([channels.chatSession(sessionId)], () => wake?.());
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  await registerWaiting(deps, sessionId, actor.agentId);
  try {
    let cursor = after;
    for (;;) {
      const rows = await listMessagesAfter(deps.sql, sessionId, cursor, 100);
      const replies = rows.filter((r) => r.from_agent_id !== actor.agentId);
      if (replies.length > 0) return { replies: replies.map(historyItem), timed_out: false };
      if (rows.length > 0) cursor = { ts: rows[rows.length - 1].created_at, id: rows[rows.length - 1].message_id };
      const left = deadline - Date.now();
      if (left <= 0 || signal.aborted) return { replies: [], timed_out: true };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
    await unregisterWaiting(deps, sessionId, actor.agentId);
  }
}
