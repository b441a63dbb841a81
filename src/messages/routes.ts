// /v1/messages — mail between the agents of one project (docs/protocol/mail.md#mail); the rules are in service.ts.
// The sender is always the authenticated actor (docs/protocol/auth.md#actor-binding); every lookup is scoped
// to the caller's project, so foreign ids are 404 (docs/protocol/projects.md#projects-isolation).
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { invalid, unprocessable } from "../http/errors";
import { normalizeUuid, queryBool, queryInt } from "../http/wire";
import { describe } from "../http/openapi";
import { Inbox, MailAcknowledged, MailSent, SentPage, SentQuery } from "./model";
import { acknowledge, inbox, PRIORITIES, sendMessage, sentMail, type Priority } from "./service";


/** Strict (docs/protocol/mail.md#mail-send): unknown keys, including a project_id selector, are a 422. */
const SendBody = t.Object(
  {
    to_agent_id: t.Optional(t.Nullable(t.String({ minLength: 1 }))),
    to_alias: t.Optional(t.Nullable(t.String({ minLength: 1, maxLength: 64 }))),
    subject: t.Optional(t.String()),
    body: t.String(),
    priority: t.Optional(t.String()),
    thread_id: t.Optional(t.Nullable(t.String())),
  },
  { additionalProperties: false },
);

function optionalUuid(raw: string | null | undefined, field: string, what: string): string | null {
  if (raw === undefined || raw === null) return null;
  const id = normalizeUuid(raw);
  if (!id) throw invalid(["body", field], `Value error, Invalid ${what} format`, raw);
  return id;
}

function parsePriority(raw: string | undefined): Priority {
  if (raw === undefined) return "normal";
  if (!(PRIORITIES as readonly string[]).includes(raw)) {
    throw invalid(["body", "priority"], "Input should be 'low', 'normal', 'high' or 'urgent'", raw, "literal_error");
  }
  return raw as Priority;
}

export function messageRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/messages" })
    .use(authPlugin(deps))
    .post(
      "",
      async ({ auth, body }) => {
        const toAgentId = optionalUuid(body.to_agent_id, "to_agent_id", "agent_id");
        const toAlias = body.to_alias == null ? null : body.to_alias.trim();
        if (toAlias === "") throw invalid(["body", "to_alias"], "Value error, to_alias must not be empty", body.to_alias);
        const priority = parsePriority(body.priority);
        const threadId = optionalUuid(body.thread_id, "thread_id", "thread_id");

        const actor = await auth.actor();
        const sent = await sendMessage(deps, actor, {
          toAgentId,
          toAlias,
          subject: body.subject ?? "",
          body: body.body,
          priority,
          threadId,
        });
        return { message_id: sent.message_id, status: sent.status, delivered_at: sent.delivered_at };
      },
      { body: SendBody, detail: describe("Send mail to an agent of the project", "mail", { 200: MailSent }, [401, 403, 404]) },
    )
    .get(
      "/inbox",
      async ({ auth, query }) => {
        // bdh's legacy client also sends workspace_id, from_alias, …: ignored (docs/protocol/mail.md#mail-inbox).
        const unreadOnly = queryBool(query.unread_only, "unread_only", false);
        const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 500 });
        const actor = await auth.actor();
        const messages = await inbox(deps, actor, unreadOnly, limit);
        return { messages };
      },
      {
        query: t.Object(
          { unread_only: t.Optional(t.String()), limit: t.Optional(t.String()) },
          { additionalProperties: true },
        ),
        detail: describe("The calling agent's inbox, newest first", "mail", { 200: Inbox }, [401, 403]),
      },
    )
    .get(
      "/sent",
      async ({ auth, query }) => {
        const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 500 });
        return sentMail(deps, await auth.actor(), limit, query.cursor);
      },
      {
        query: SentQuery,
        detail: describe("Mail the calling agent sent, newest first", "mail", { 200: SentPage }, [401, 403, 404]),
      },
    )
    .post(
      "/:message_id/ack",
      async ({ auth, params }) => {
        // No body and no content type (docs/protocol/mail.md#mail-acknowledge); bdh's legacy body is ignored.
        const messageId = normalizeUuid(params.message_id);
        if (!messageId) throw unprocessable("Invalid message_id format");
        const actor = await auth.actor();
        return acknowledge(deps, actor, messageId);
      },
      {
        params: t.Object({ message_id: t.String() }),
        detail: describe("Mark a message read (idempotent)", "mail", { 200: MailAcknowledged }, [401, 403, 404]),
      },
    );
}
