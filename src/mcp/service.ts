// JSON-RPC dispatch for the MCP endpoint (docs/protocol/mcp.md): one message
// in, one response (or none, for notifications and client responses) out.
// HTTP concerns — auth, Origin, headers, batches, status codes — are the
// route's; this module only knows methods, tools and JSON-RPC error codes.
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import type { TObject } from "@sinclair/typebox";
import type { Deps } from "../deps";
import type { RequestAuth } from "../auth/identity";
import { AppError } from "../http/errors";
import { handleError } from "../http/error-handler";
import { VERSION } from "../version";
import type { Tool, ToolContext } from "./tool";

/** Newest first; the first is offered when a client asks for one we do not speak. */
export const SUPPORTED_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;
export const LATEST_VERSION = SUPPORTED_VERSIONS[0];
/** The version a request without MCP-Protocol-Version is assumed to speak (the spec's rule). */
export const DEFAULT_VERSION = "2025-03-26";

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
/** Server-defined: the HTTP layer refused the credentials (the body of a 401). */
export const UNAUTHORIZED = -32001;

export type RpcId = string | number | null;

export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

export type RpcResponse =
  | { jsonrpc: "2.0"; id: RpcId; result: unknown }
  | { jsonrpc: "2.0"; id: RpcId; error: RpcError };

export const rpcError = (id: RpcId, code: number, message: string, data?: unknown): RpcResponse => ({
  jsonrpc: "2.0",
  id,
  error: data === undefined ? { code, message } : { code, message, data },
});

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isId = (v: unknown): v is string | number => typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

/** The tools this server shows, with their compiled argument and result checks. */
export class ToolCatalog {
  readonly byName = new Map<string, Tool>();
  private readonly inputChecks = new Map<string, TypeCheck<TObject>>();
  private readonly outputChecks = new Map<string, TypeCheck<TObject>>();
  private listed: unknown[] | null = null;

  constructor(tools: Tool[]) {
    for (const t of tools) this.byName.set(t.name, t);
  }

  inputCheck(t: Tool): TypeCheck<TObject> {
    let c = this.inputChecks.get(t.name);
    if (!c) this.inputChecks.set(t.name, (c = TypeCompiler.Compile(t.input)));
    return c;
  }

  outputCheck(t: Tool): TypeCheck<TObject> {
    let c = this.outputChecks.get(t.name);
    if (!c) this.outputChecks.set(t.name, (c = TypeCompiler.Compile(t.output)));
    return c;
  }

  /** tools/list entries: TypeBox schemas are JSON Schema once their symbol keys are dropped. */
  list(): unknown[] {
    this.listed ??= [...this.byName.values()].map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: jsonSchema(t.input),
      outputSchema: jsonSchema(t.output),
      annotations: { title: t.title, ...t.annotations },
    }));
    return this.listed;
  }
}

/**
 * A TypeBox schema as plain JSON Schema (2020-12 style) for MCP clients: its
 * symbol keys drop out in JSON, and two OpenAPI-isms Elysia adds go too —
 * `nullable` next to an anyOf that already admits null (strict validators
 * such as the SDK's ajv reject it without `type`), and the `default` that
 * UnionEnum invents (a model would read it as the value to send).
 */
export function jsonSchema(schema: unknown): unknown {
  const walk = (node: unknown, names: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (node === null || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (!names && (k === "nullable" || k === "default")) continue;
      out[k] = walk(v, !names && (k === "properties" || k === "patternProperties"));
    }
    return out;
  };
  return walk(JSON.parse(JSON.stringify(schema)), false);
}

export interface Session {
  deps: Deps;
  auth: RequestAuth;
  catalog: ToolCatalog;
  signal: AbortSignal;
  allowLongWait(): void;
  /** Whether initialize may appear here (not inside a batch). */
  inBatch: boolean;
}

/**
 * One message. Returns null when nothing is owed: a notification, or a
 * response the client sent us (we never ask it anything).
 */
export async function handleMessage(s: Session, msg: unknown): Promise<RpcResponse | null> {
  if (!isObject(msg)) return rpcError(null, INVALID_REQUEST, "Invalid request: a JSON-RPC message is an object");
  const id: RpcId = isId(msg.id) ? msg.id : null;
  if (msg.jsonrpc !== "2.0") return rpcError(id, INVALID_REQUEST, 'Invalid request: jsonrpc must be "2.0"');
  if (!("method" in msg)) {
    if (("result" in msg || "error" in msg) && isId(msg.id)) return null;
    return rpcError(id, INVALID_REQUEST, "Invalid request: method is required");
  }
  if (typeof msg.method !== "string") return rpcError(id, INVALID_REQUEST, "Invalid request: method must be a string");
  if (!("id" in msg)) return null; // a notification: nothing to answer (initialized, cancelled, …)
  if (!isId(msg.id)) return rpcError(null, INVALID_REQUEST, "Invalid request: id must be a string or a number");
  if (msg.params !== undefined && !isObject(msg.params)) {
    return rpcError(id, INVALID_PARAMS, "Invalid params: params must be an object");
  }
  const params = (msg.params ?? {}) as Record<string, unknown>;
  try {
    switch (msg.method) {
      case "initialize":
        if (s.inBatch) return rpcError(id, INVALID_REQUEST, "Invalid request: initialize cannot be part of a batch");
        return await initialize(s, id, params);
      case "ping":
        return { jsonrpc: "2.0", id, result: {} };
      case "tools/list":
        return { jsonrpc: "2.0", id, result: { tools: s.catalog.list() } };
      case "tools/call":
        return await callTool(s, id, params);
      default:
        return rpcError(id, METHOD_NOT_FOUND, `Method not found: ${msg.method}`);
    }
  } catch (err) {
    s.deps.log.error("mcp request failed", { method: msg.method, error: String((err as Error)?.stack ?? err) });
    return rpcError(id, INTERNAL_ERROR, "Internal error");
  }
}

async function initialize(s: Session, id: RpcId, params: Record<string, unknown>): Promise<RpcResponse> {
  const requested = params.protocolVersion;
  if (typeof requested !== "string" || requested === "") {
    return rpcError(id, INVALID_PARAMS, "Invalid params: protocolVersion is required", {
      supported: SUPPORTED_VERSIONS,
      requested: requested ?? null,
    });
  }
  const protocolVersion = (SUPPORTED_VERSIONS as readonly string[]).includes(requested) ? requested : LATEST_VERSION;
  return {
    jsonrpc: "2.0",
    id,
    result: {
      protocolVersion,
      capabilities: { tools: { listChanged: false } },
      serverInfo: { name: "beadhub", title: "beadhub", version: VERSION },
      instructions: await instructions(s),
    },
  };
}

/** Who the caller is and how to begin: models read this once, at connect time. */
async function instructions(s: Session): Promise<string> {
  const start =
    "beadhub coordinates coding agents working on one project: issues (beads) and who claims them, " +
    "file locks, mail, chat, and escalations to humans. Start with `start_session`: it tells you who " +
    "you are, your role's playbook, your unread mail, pending chats, claims, locks and ready issues. " +
    "Claim an issue before working on it (`claim_issue`), lock files before editing shared ones " +
    "(`lock_acquire`), and escalate when a human must decide (`escalate`).";
  try {
    const actor = await s.auth.actor();
    return `You are agent "${actor.alias}" (${actor.humanName || "no human name"}) in project ${actor.projectId}. ${start}`;
  } catch {
    return `This key is not bound to an agent: tools that act as an agent will refuse. ${start}`;
  }
}

async function callTool(s: Session, id: RpcId, params: Record<string, unknown>): Promise<RpcResponse> {
  const name = params.name;
  if (typeof name !== "string") return rpcError(id, INVALID_PARAMS, "Invalid params: name must be a string");
  const tool = s.catalog.byName.get(name);
  if (!tool) return rpcError(id, INVALID_PARAMS, `Unknown tool: ${name}`);
  const args = params.arguments ?? {};
  if (!isObject(args)) return rpcError(id, INVALID_PARAMS, "Invalid params: arguments must be an object");
  const check = s.catalog.inputCheck(tool);
  if (!check.Check(args)) {
    const errors = [...check.Errors(args)].slice(0, 5).map((e) => ({ path: e.path || "/", message: e.message }));
    const first = errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    return rpcError(id, INVALID_PARAMS, `Invalid arguments for ${name}: ${first}`, { errors });
  }
  const c: ToolContext = {
    deps: s.deps,
    auth: s.auth,
    get signal() {
      return s.signal;
    },
    allowLongWait: s.allowLongWait,
  };
  let structured: Record<string, unknown>;
  try {
    structured = (await tool.run(c, args)) as Record<string, unknown>;
  } catch (err) {
    // A tool that ran and failed is a result the model can read, not a protocol
    // error. Failures other than AppError get the status REST would give them
    // (a Postgres unique violation 409, an unstorable value 422, no database
    // 503); what REST would answer 500 is a bug and stays one.
    if (err instanceof AppError && err.status === 500) throw err;
    const failure = err instanceof AppError ? { status: err.status, detail: err.detail } : await asRestFailure(s, name, err);
    // Already logged by the app's error mapping.
    if (failure.status === 500) return rpcError(id, INTERNAL_ERROR, "Internal error");
    const text = typeof failure.detail === "string" ? failure.detail : JSON.stringify(failure.detail);
    return { jsonrpc: "2.0", id, result: { content: [{ type: "text", text }], isError: true } };
  }
  if (s.deps.config.checkResponses) {
    // Tests: a result that does not match the declared outputSchema is a bug here, not the client's.
    const out = s.catalog.outputCheck(tool);
    if (!out.Check(structured)) {
      const first = [...out.Errors(structured)].slice(0, 3).map((e) => `${e.path}: ${e.message}`);
      throw new Error(`result of tool ${name} does not match its outputSchema: ${first.join("; ")}`);
    }
  }
  const text = JSON.stringify(structured);
  const response: RpcResponse = { jsonrpc: "2.0", id, result: { content: [{ type: "text", text }], structuredContent: structured } };
  // The result is serialized once: structuredContent reuses the text's JSON
  // instead of being stringified again (a tool call should cost what its REST
  // twin costs; docs/performance.md).
  Object.defineProperty(response, SERIALIZED, {
    value: `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[{"type":"text","text":${JSON.stringify(text)}}],"structuredContent":${text}}}`,
  });
  return response;
}

const SERIALIZED = Symbol("serialized");

/** The response as JSON text (pre-serialized for tool results). */
export function serialize(r: RpcResponse): string {
  return (r as { [SERIALIZED]?: string })[SERIALIZED] ?? JSON.stringify(r);
}

async function asRestFailure(s: Session, tool: string, error: unknown): Promise<{ status: number; detail: unknown }> {
  const res = handleError({
    code: "UNKNOWN",
    error,
    requestId: "mcp",
    method: "POST",
    path: `/mcp#${tool}`,
    allowedMethods: () => [],
    log: s.deps.log,
  });
  const body = (await res.json()) as { detail?: unknown };
  return { status: res.status, detail: body.detail };
}
