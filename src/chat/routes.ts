// /v1/chat (docs/protocol/chat.md#chat): persistent sessions between agents of one
// project. Every route needs an actor agent (docs/protocol/auth.md); public readers are refused.
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { invalid, unprocessable } from "../http/errors";
import { parseAwareTimestamp } from "../http/time";
import { normalizeUuid, parseUuid, queryBool, queryInt } from "../http/wire";
import { accessSession, createOrSend, history, listPending, listSessions, markRead, sendInSession } from "./service";
import { chatStreamResponse } from "./stream";
import { describe, describeStream } from "../http/openapi";
import { ChatHistory, ChatPending, ChatRead, ChatSent, ChatSessions, ChatStarted } from "./model";


const SessionParams = t.Object({ id: t.String() });

// Bodies are strict (pydantic extra=forbid, docs/protocol/conventions.md#conventions-shared-by-every-route): a stray project_id is a 422.
const CreateBody = t.Object(
  {
    to_aliases: t.Array(t.String(), { minItems: 1 }),
    message: t.String(),
    leaving: t.Optional(t.Boolean()),
  },
  { additionalProperties: false },
);
const SendBody = t.Object(
  { body: t.String({ minLength: 1 }), hang_on: t.Optional(t.Boolean()) },
  { additionalProperties: false },
);
const ReadBody = t.Object({ up_to_message_id: t.String() }, { additionalProperties: false });

/** Path session id: malformed → 422 "Invalid id format" (also where the reference 500s, docs/protocol/chat.md#chat-mark-read). */
function sessionIdOf(raw: string): string {
  const id = normalizeUuid(raw);
  if (!id) throw unprocessable("Invalid id format");
  return id;
}

/** deadline / after query values (docs/protocol/chat.md#chat-stream, docs/protocol/chat.md): RFC 3339 with a zone, kept at µs precision. */
function awareQuery(raw: string, name: string): { text: string; ms: number } {
  const parsed = parseAwareTimestamp(raw);
  if (!parsed.ok) {
    throw unprocessable(parsed.reason === "naive" ? `${name} must be timezone-aware` : `Invalid ${name} format`);
  }
  const text = parsed.value;
  // Date.parse rolls 2026-02-30 over to March; Postgres rejects it, so we do too.
  const day = text.slice(0, 10);
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  if (Number.isNaN(ms) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    throw unprocessable(`Invalid ${name} format`);
  }
  return { text, ms };
}

export function chatRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/chat" })
    .use(authPlugin(deps))
    .post("/sessions", async ({ body, auth }) => {
      const { sent_at: _, ...answer } = await createOrSend(deps, await auth.actor(), body);
      return answer;
    }, {
      body: CreateBody,
      detail: describe("Send a message to a set of agents, creating their session if needed", "chat", { 200: ChatStarted }, [401, 403, 404]),
    })
    .get("/sessions", async ({ auth }) => listSessions(deps, await auth.actor()), {
      detail: describe("List the sessions the caller takes part in", "chat", { 200: ChatSessions }, [401, 403]),
    })
    .get("/pending", async ({ auth }) => listPending(deps, await auth.actor()), {
      detail: describe("Sessions with unread messages, and the unread mail count", "chat", { 200: ChatPending }, [401, 403]),
    })
    .get(
      "/sessions/:id/messages",
      async ({ params, query, auth }) => {
        const actor = await auth.actor();
        const sessionId = sessionIdOf(params.id);
        const unreadOnly = queryBool(query.unread_only, "unread_only", false);
        const limit = queryInt(query.limit, "limit", 200, { min: 1, max: 2000 });
        return history(deps, actor, sessionId, unreadOnly, limit);
      },
      {
        params: SessionParams,
        query: t.Object({ unread_only: t.Optional(t.String()), limit: t.Optional(t.String()) }),
        detail: describe("Latest messages of a session, oldest first", "chat", { 200: ChatHistory }, [401, 403, 404]),
      },
    )
    .post(
      "/sessions/:id/messages",
      async ({ params, body, auth }) => {
        const actor = await auth.actor();
        const { sent_at: _, ...answer } = await sendInSession(deps, actor, sessionIdOf(params.id), body.body, body.hang_on ?? false);
        return answer;
      },
      { params: SessionParams, body: SendBody, detail: describe("Send a message in an existing session", "chat", { 200: ChatSent }, [401, 403, 404]) },
    )
    .post(
      "/sessions/:id/read",
      async ({ params, body, auth }) => {
        const actor = await auth.actor();
        const sessionId = sessionIdOf(params.id);
        const upTo = parseUuid(body.up_to_message_id, ["body", "up_to_message_id"]);
        return markRead(deps, actor, sessionId, upTo);
      },
      { params: SessionParams, body: ReadBody, detail: describe("Mark messages read up to one message", "chat", { 200: ChatRead }, [401, 403, 404]) },
    )
    .get(
      "/sessions/:id/stream",
      async ({ params, query, auth, request }) => {
        const actor = await auth.actor();
        if (query.deadline === undefined) throw invalid(["query", "deadline"], "Field required", null, "missing");
        const sessionId = sessionIdOf(params.id);
        await accessSession(deps, actor, sessionId, "Not authorized for this session");
        const deadline = awareQuery(query.deadline, "deadline");
        const after = query.after === undefined ? null : awareQuery(query.after, "after");
        // Past this point nothing may throw: errors above are normal JSON answers.
        return chatStreamResponse(deps, {
          sessionId,
          viewerId: actor.agentId,
          deadlineMs: deadline.ms,
          after: after?.text ?? null,
          requestSignal: request.signal,
          shutdownSignal: ctx.shutdownSignal,
        });
      },
      {
        params: SessionParams,
        query: t.Object({ deadline: t.Optional(t.String()), after: t.Optional(t.String()) }),
        detail: describeStream("Server-Sent Events: replay, then new messages and read receipts until the deadline", "chat", [401, 403, 404]),
      },
    );
}
