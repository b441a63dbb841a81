// MCP mail and chat tools (docs/protocol/mail.md#mail, docs/protocol/chat.md#chat): always as the calling agent.
import { t } from "elysia";
import { unprocessable } from "../http/errors";
import { createOrSend, history, listPending, markRead, sendInSession, waitForReplies } from "../chat/service";
import { ChatRead, ChatStarted } from "../chat/model";
import { MailAcknowledged } from "../messages/model";
import { acknowledge, inbox, PRIORITIES, reply, sendToAliases } from "../messages/service";
import { ChatItem, ChatPending, Limit, MailItem, MailSent, Open, Strict } from "./model";
import { IDEMPOTENT, READ, WRITE, tool } from "./tool";

const Alias = t.String({ minLength: 1, maxLength: 64, description: "An agent's alias in this project." });
const Priority = t.Optional(t.UnionEnum(PRIORITIES as unknown as ["low", "normal", "high", "urgent"], { description: "Default normal." }));
const Uuid = (description: string) => t.String({ format: "uuid", description });
/** Longest chat_send wait: long enough for a colleague to answer, short of client request timeouts. */
export const MAX_CHAT_WAIT_SECONDS = 600;

export const sendMessageTool = tool({
  name: "send_message",
  title: "Send mail",
  description:
    "Mail one or several agents of the project (asynchronous; they read it with fetch_inbox). " +
    "Use thread_id to continue a conversation. An unknown alias sends nothing.",
  input: t.Object(
    {
      to: t.Array(Alias, { minItems: 1, maxItems: 50 }),
      subject: t.Optional(t.String({ maxLength: 1000 })),
      body: t.String({ minLength: 1, maxLength: 100_000 }),
      priority: Priority,
      thread_id: t.Optional(Uuid("The thread to continue.")),
    },
    Strict,
  ),
  output: t.Object({ sent: t.Array(MailSent) }, Open),
  annotations: WRITE,
  async run(c, a) {
    const actor = await c.auth.actor();
    const sent = await sendToAliases(c.deps, actor, a.to, {
      subject: a.subject ?? "",
      body: a.body,
      priority: a.priority ?? "normal",
      threadId: a.thread_id?.toLowerCase() ?? null,
    });
    return { sent };
  },
});

export const replyMessageTool = tool({
  name: "reply_message",
  title: "Reply to mail",
  description: "Answer a message you received: to its sender, in its thread, subject \"Re: …\".",
  input: t.Object({ message_id: Uuid("The message you answer."), body: t.String({ minLength: 1, maxLength: 100_000 }), priority: Priority }, Strict),
  output: MailSent,
  annotations: WRITE,
  async run(c, a) {
    return reply(c.deps, await c.auth.actor(), a.message_id.toLowerCase(), a.body, a.priority ?? "normal");
  },
});

export const fetchInboxTool = tool({
  name: "fetch_inbox",
  title: "Read my mail",
  description: "Your mail, newest first; unread only by default. Acknowledge what you have handled.",
  input: t.Object({ unread_only: t.Optional(t.Boolean({ description: "Default true." })), limit: Limit(500, 20) }, Strict),
  output: t.Object({ messages: t.Array(MailItem), count: t.Integer() }, Open),
  annotations: READ,
  async run(c, a) {
    const messages = await inbox(c.deps, await c.auth.actor(), a.unread_only ?? true, a.limit ?? 20);
    return { messages, count: messages.length };
  },
});

export const acknowledgeMessageTool = tool({
  name: "acknowledge_message",
  title: "Mark mail read",
  description: "Mark a message you received as read (idempotent).",
  input: t.Object({ message_id: Uuid("The message to mark read.") }, Strict),
  output: t.Object({ ...MailAcknowledged.properties }, Open),
  annotations: IDEMPOTENT,
  async run(c, a) {
    return acknowledge(c.deps, await c.auth.actor(), a.message_id.toLowerCase());
  },
});

export const chatSendTool = tool({
  name: "chat_send",
  title: "Chat",
  description:
    "Send a chat message to agents (to) or into an existing session (session_id), and optionally wait up " +
    "to wait_seconds for an answer: replies come back in the result. Use chat for questions that need an " +
    "answer now; mail for everything else.",
  input: t.Object(
    {
      to: t.Optional(t.Array(Alias, { minItems: 1, maxItems: 50 })),
      session_id: t.Optional(Uuid("An existing chat session of yours.")),
      message: t.String({ minLength: 1, maxLength: 100_000 }),
      wait_seconds: t.Optional(t.Integer({ minimum: 0, maximum: MAX_CHAT_WAIT_SECONDS, description: "Default 0: do not wait." })),
      leaving: t.Optional(t.Boolean({ description: "Say you are leaving the conversation." })),
    },
    Strict,
  ),
  // The send's ids (as the REST chat answers name them), then what the tool's own wait found.
  output: t.Object(
    { ...t.Pick(ChatStarted, ["session_id", "message_id"]).properties, replies: t.Array(ChatItem), timed_out: t.Boolean() },
    Open,
  ),
  annotations: WRITE,
  async run(c, a) {
    if ((a.to === undefined) === (a.session_id === undefined)) throw unprocessable("Give either to or session_id");
    const actor = await c.auth.actor();
    let sessionId: string;
    let sent: { message_id: string; sent_at: string };
    let extra: Record<string, unknown> = {};
    if (a.to !== undefined) {
      const r = await createOrSend(c.deps, actor, { to_aliases: a.to, message: a.message, leaving: a.leaving });
      sessionId = r.session_id;
      sent = r;
      extra = { participants: r.participants, targets_connected: r.targets_connected, targets_left: r.targets_left };
    } else {
      if (a.leaving) throw unprocessable("leaving is only for a message sent with to");
      sessionId = a.session_id!.toLowerCase();
      sent = await sendInSession(c.deps, actor, sessionId, a.message, false);
    }
    const wait = a.wait_seconds ?? 0;
    if (wait > 0) c.allowLongWait();
    const answer =
      wait > 0
        ? await waitForReplies(c.deps, actor, sessionId, { ts: sent.sent_at, id: sent.message_id }, wait, c.signal)
        : { replies: [], timed_out: false };
    return { session_id: sessionId, message_id: sent.message_id, ...extra, ...answer };
  },
});

export const chatPendingTool = tool({
  name: "chat_pending",
  title: "Pending chats",
  description: "Chat sessions with messages you have not read (sender_waiting: someone is waiting for your answer), and your unread mail count.",
  input: t.Object({}, Strict),
  output: ChatPending,
  annotations: READ,
  async run(c) {
    return listPending(c.deps, await c.auth.actor());
  },
});

export const chatHistoryTool = tool({
  name: "chat_history",
  title: "Chat history",
  description: "The latest messages of one of your chat sessions, oldest first.",
  input: t.Object(
    { session_id: Uuid("The chat session."), unread_only: t.Optional(t.Boolean()), limit: Limit(2000, 50) },
    Strict,
  ),
  output: t.Object({ messages: t.Array(ChatItem) }, Open),
  annotations: READ,
  async run(c, a) {
    return history(c.deps, await c.auth.actor(), a.session_id.toLowerCase(), a.unread_only ?? false, a.limit ?? 50);
  },
});

export const chatMarkReadTool = tool({
  name: "chat_mark_read",
  title: "Mark chat read",
  description: "Mark the messages of a session read, up to and including one message.",
  input: t.Object({ session_id: Uuid("The chat session."), up_to_message_id: Uuid("The last message you read.") }, Strict),
  output: t.Object({ ...ChatRead.properties }, Open),
  annotations: IDEMPOTENT,
  async run(c, a) {
    return markRead(c.deps, await c.auth.actor(), a.session_id.toLowerCase(), a.up_to_message_id.toLowerCase());
  },
});

export const TALK_TOOLS = [
  sendMessageTool,
  replyMessageTool,
  fetchInboxTool,
  acknowledgeMessageTool,
  chatSendTool,
  chatPendingTool,
  chatHistoryTool,
  chatMarkReadTool,
];
