// What an MCP tool is (docs/protocol/mcp.md#tools): a name, the text a model
// reads, TypeBox input and output schemas (sent as JSON Schema by tools/list),
// behaviour hints, and a handler that makes one call into the same service
// function the REST route uses. A handler throws AppError for a failure the
// caller should see (it becomes a result with isError: true).
import type { TObject } from "@sinclair/typebox";
import type { Actor, RequestAuth } from "../auth/identity";
import type { Deps } from "../deps";
import { requireOwnWorkspace } from "../workspaces/access";
import type { WorkspaceRow } from "../workspaces/data";

export interface ToolContext {
  deps: Deps;
  auth: RequestAuth;
  /** Aborted when the request is, or the server shuts down: a long wait (chat_send) stops with it. */
  signal: AbortSignal;
  /** Lift the server's idle timeout for this request before a long silent wait (chat_send). */
  allowLongWait(): void;
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: false;
}

export interface Tool<I extends TObject = TObject, O extends TObject = TObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  run(c: ToolContext, args: I["static"]): Promise<O["static"]>;
}

/** Read-only, destructive (removes or overrides something), or a plain write. */
export const READ: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
export const WRITE: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
export const IDEMPOTENT: ToolAnnotations = { ...WRITE, idempotentHint: true };
export const DESTRUCTIVE: ToolAnnotations = { ...WRITE, destructiveHint: true, idempotentHint: true };

/** Declared through a function so each tool's handler is typed by its own schemas. */
export function tool<I extends TObject, O extends TObject>(def: Tool<I, O>): Tool {
  return def as unknown as Tool;
}

/**
 * The workspace a tool acts on: the one named, else the caller's own (its
 * agent id is its workspace id). Must be the caller's live workspace — the
 * same check the REST routes make (requireOwnWorkspace).
 */
export async function ownWorkspace(c: ToolContext, workspaceId: string | undefined): Promise<{ actor: Actor; workspace: WorkspaceRow }> {
  const actor = await c.auth.actor();
  const workspace = await requireOwnWorkspace(c.deps.sql, actor, workspaceId ?? actor.agentId);
  return { actor, workspace };
}
