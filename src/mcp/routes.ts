// POST /mcp: the JSON-RPC 2.0 envelope around the MCP tools (contract
// beadhub.md §16.5). Everything except a body that is not a JSON object
// (422, like any FastAPI body) answers HTTP 200, results and errors alike.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { AppError, type ValidationItem } from "../http/errors";
import { json } from "../http/error-handler";
import { newCall, TOOLS, type Args } from "./tools";

type RpcId = unknown;

const rpcError = (id: RpcId, code: number, message: string) => ({ jsonrpc: "2.0", id, error: { code, message } });
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The body as a JSON object, or the 422 FastAPI gives a `dict` body parameter. */
async function readPayload(request: Request): Promise<Record<string, unknown> | Response> {
  const text = await request.text();
  const fail = (item: ValidationItem) => json(422, { detail: [item] });
  if (text.trim() === "") return fail({ type: "missing", loc: ["body"], msg: "Field required", input: null });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail({ type: "json_invalid", loc: ["body"], msg: "JSON decode error", input: null });
  }
  if (!isObject(value)) return fail({ type: "dict_type", loc: ["body"], msg: "Input should be a valid dictionary", input: value });
  return value;
}

export function mcpRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia().post(
    "/mcp",
    async ({ request }) => {
      const payload = await readPayload(request);
      if (payload instanceof Response) return payload;
      const id = payload.id ?? null;
      if (payload.jsonrpc !== "2.0") return rpcError(id, -32600, "Invalid jsonrpc version");
      if (payload.method !== "tools/call") return rpcError(id, -32601, "Method not found");
      // `params or {}` / `arguments or {}` in the reference: falsy values count as empty.
      const params = payload.params || {};
      if (!isObject(params)) return rpcError(id, -32602, "Params must be an object");
      const name = params.name;
      const args = params.arguments || {};
      if (typeof name !== "string") return rpcError(id, -32602, "Tool name must be a string");
      if (!isObject(args)) return rpcError(id, -32602, "Tool arguments must be an object");
      const tool = Object.hasOwn(TOOLS, name) ? TOOLS[name] : undefined;
      if (!tool) return rpcError(id, -32601, `Unknown tool: ${name}`);
      try {
        const result = await tool(newCall(deps, ctx, request, args as Args));
        return { jsonrpc: "2.0", id, result: { content: [{ type: "text", text: result.text }] } };
      } catch (err) {
        if (err instanceof AppError) {
          const message = typeof err.detail === "string" ? err.detail : JSON.stringify(err.detail);
          return rpcError(id, err.status, message);
        }
        deps.log.error("MCP tool call failed", { tool: name, error: String((err as Error)?.message ?? err) });
        return rpcError(id, -32000, "Internal error");
      }
    },
    { parse: "none", detail: { summary: "JSON-RPC 2.0 endpoint for MCP tools (tools/call)", tags: ["mcp"] } },
  );
}
