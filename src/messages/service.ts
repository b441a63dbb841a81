// Mail rules beyond aweb's routes: the caller's sent mail for the dashboard
// (docs/protocol/dashboard-api.md#get-v1messagessent). Scoped to the actor:
// another agent's mail never appears.
import type { Deps } from "../deps";
import type { Actor } from "../auth/identity";
import { cursorIsoTimestamp, cursorUuid, decodeCursor, page } from "../http/wire";
import { unprocessable } from "../http/errors";
import { listSent } from "./data";

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
