// Mail between the agents of one project (docs/protocol/mail.md#mail). The sender is always
// the authenticated actor (docs/protocol/auth.md#actor-binding); every lookup is scoped to the caller's
// project, so foreign ids are 404 (docs/protocol/projects.md#projects-isolation). Used by the REST routes and the
// MCP mail tools alike. The caller's sent mail is for the dashboard
// (docs/protocol/dashboard-api.md#get-v1messagessent).
import type { Deps } from "../deps";
import type { Actor } from "../auth/identity";
import { forbidden, notFound, unprocessable } from "../http/errors";
import { cursorIsoTimestamp, cursorUuid, decodeCursor, page } from "../http/wire";
import { publishWorkspaceEvent } from "../events/publish";
import {
  acknowledgeMessage,
  findMessageRecipient,
  findRecipient,
  insertMessage,
  listInbox,
  listSent,
  type NewMessage,
  type Recipient,
} from "./data";
import type { InboxMessage } from "./model";

export const PRIORITIES = ["low", "normal", "high", "urgent"] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface SendInput {
  toAgentId: string | null;
  toAlias: string | null;
  subject: string;
  body: string;
  priority: Priority;
  threadId: string | null;
}

export async function sendMessage(deps: Deps, actor: Actor, input: SendInput) {
  if (input.toAgentId === null && input.toAlias === null) throw unprocessable("Must provide to_agent_id or to_alias");
  // to_agent_id wins over to_alias (docs/protocol/mail.md#mail-send).
  const recipient = await findRecipient(
    deps.sql,
    actor.projectId,
    input.toAgentId !== null ? { agentId: input.toAgentId } : { alias: input.toAlias! },
  );
  if (!recipient) throw notFound("Agent not found");
  return deliver(deps, actor, recipient, input);
}

/**
 * The same mail to several agents by alias (the MCP send_message tool): every
 * recipient is checked first, so an unknown alias sends nothing.
 */
export async function sendToAliases(deps: Deps, actor: Actor, aliases: string[], input: Omit<SendInput, "toAgentId" | "toAlias">) {
  const recipients: Recipient[] = [];
  for (const alias of new Set(aliases)) {
    const r = await findRecipient(deps.sql, actor.projectId, { alias });
    if (!r) throw notFound(`Agent not found: ${alias}`);
    recipients.push(r);
  }
  const sent = [];
  for (const r of recipients) sent.push(await deliver(deps, actor, r, { ...input, toAgentId: r.agent_id, toAlias: null }));
  return sent;
}

async function deliver(deps: Deps, actor: Actor, recipient: Recipient, input: SendInput) {
  const message: NewMessage = {
    projectId: actor.projectId,
    fromAgentId: actor.agentId,
    fromAlias: actor.alias,
    toAgentId: recipient.agent_id,
    subject: input.subject,
    body: input.body,
    priority: input.priority,
    threadId: input.threadId,
  };
  const inserted = await insertMessage(deps.sql, message);
  // Committed: tell the recipient's dashboard stream. Never the body.
  await publishWorkspaceEvent(deps, recipient.agent_id, "message.delivered", recipient.project_slug, {
    message_id: inserted.message_id,
    from_workspace: actor.agentId,
    from_alias: actor.alias,
    subject: message.subject,
    priority: input.priority,
    to_alias: recipient.alias,
  });
  return {
    message_id: inserted.message_id,
    status: "delivered",
    delivered_at: inserted.created_at,
    to_agent_id: recipient.agent_id,
    to_alias: recipient.alias,
  };
}

/** The actor's inbox, newest first. */
export async function inbox(deps: Deps, actor: Actor, unreadOnly: boolean, limit: number): Promise<InboxMessage[]> {
  return listInbox(deps.sql, actor.projectId, actor.agentId, unreadOnly, limit);
}

/** A message the actor received: 404 outside the project, 403 when it was sent to someone else. */
async function requireReceived(deps: Deps, actor: Actor, messageId: string, forbiddenDetail: string): Promise<void> {
  const recipient = await findMessageRecipient(deps.sql, actor.projectId, messageId);
  if (recipient === null) throw notFound("Message not found");
  if (recipient !== actor.agentId) throw forbidden(forbiddenDetail);
}

export async function acknowledge(deps: Deps, actor: Actor, messageId: string) {
  await requireReceived(deps, actor, messageId, "Not authorized to acknowledge this message");
  const readAt = await acknowledgeMessage(deps.sql, actor.projectId, messageId, actor.agentId);
  if (readAt === null) throw notFound("Message not found");
  return { message_id: messageId, acknowledged_at: readAt };
}

/**
 * Answer a received message: to its sender, in its thread (the original's
 * thread, or the original itself when it started one), "Re: " + its subject.
 */
export async function reply(deps: Deps, actor: Actor, messageId: string, body: string, priority: Priority) {
  await requireReceived(deps, actor, messageId, "Not authorized to reply to this message");
  const original = (await listInbox(deps.sql, actor.projectId, actor.agentId, false, 1, messageId))[0];
  if (!original) throw notFound("Message not found");
  const subject = original.subject === "" || original.subject.startsWith("Re: ") ? original.subject : `Re: ${original.subject}`;
  return sendMessage(deps, actor, {
    toAgentId: original.from_agent_id,
    toAlias: null,
    subject,
    body,
    priority,
    threadId: original.thread_id ?? original.message_id,
  });
}

export async function sentMail(deps: Deps, actor: Actor, limit: number, rawCursor: string | undefined) {
  const cursor = decodeCursor(rawCursor);
  let after: { createdAt: string; messageId: string } | null = null;
  if (cursor !== null) {
    const messageId = cursorUuid(cursor, "message_id");
    if (messageId === null) throw unprocessable("Invalid cursor: message_id is required");
    after = { createdAt: cursorIsoTimestamp(cursor, "created_at"), messageId };
  }
  const rows = await listSent(deps.sql, { projectId: actor.projectId, agentId: actor.agentId, after, limit });
  const p = page(rows, limit, (last) => ({ created_at: last.created_at, message_id: last.message_id }));
  return { messages: p.items, has_more: p.has_more, next_cursor: p.next_cursor };
}

// The statements other features run inside their own transaction (init's
// one-transaction join, notification mail): tx first, like writeAudit. Other
// features reach this feature's tables through here, never its data.ts.
export { insertMessage } from "./data";
