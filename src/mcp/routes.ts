// /mcp: the Model Context Protocol over Streamable HTTP, stateless, answering
// JSON (docs/protocol/mcp.md). This module is the HTTP part — Origin, auth,
// the protocol-version header, batches, status codes; service.ts dispatches
// each JSON-RPC message.
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { RequestAuth } from "../auth/identity";
import { AppError } from "../http/errors";
import { json } from "../http/error-handler";
import { describe } from "../http/openapi";
import { selectTools } from "./catalog";
import {
  DEFAULT_VERSION,
  INVALID_REQUEST,
  PARSE_ERROR,
  SUPPORTED_VERSIONS,
  ToolCatalog,
  UNAUTHORIZED,
  handleMessage,
  rpcError,
  serialize,
  type RpcResponse,
  type Session,
} from "./service";

const TAG = "mcp";
/** Only the 2025-03-26 revision has JSON-RPC batches; later ones removed them. */
const BATCH_VERSIONS = new Set<string>(["2025-03-26"]);
const ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-ID";
const ALLOWED_METHODS = "POST, GET, DELETE, OPTIONS";

const RpcBody = t.Object({ jsonrpc: t.Literal("2.0"), id: t.Union([t.String(), t.Number(), t.Null()]) }, { additionalProperties: true });

/**
 * A browser page may only drive /mcp from the server's own origin or one
 * listed in BEADHUB_MCP_ALLOWED_ORIGINS (DNS-rebinding defence the MCP spec
 * asks for). Requests without Origin (every non-browser client) pass.
 */
function originAllowed(request: Request, origin: string | null, allowed: readonly string[]): boolean {
  if (origin === null) return true;
  if (allowed.includes(origin)) return true;
  const host = request.headers.get("host") ?? new URL(request.url).host;
  return origin === `http://${host}` || origin === `https://${host}`;
}

function corsHeaders(origin: string | null): Record<string, string> {
  if (origin === null) return NO_HEADERS;
  return {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": "Mcp-Session-Id, WWW-Authenticate",
    vary: "Origin",
  };
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

const rpcJson = (status: number, body: unknown, headers: Record<string, string> = {}) => json(status, body, headers);
type Set = { headers: Record<string, string | number> };
/**
 * A 200 answer as text through Elysia's `set`: returning a Response would make
 * Elysia copy it into a second one to add the headers already in `set`
 * (x-request-id), which was most of what a tool call cost beyond its REST twin.
 */
function rpcOk(set: Set, text: string, headers: Record<string, string>): string {
  set.headers["content-type"] = "application/json";
  for (const k in headers) set.headers[k] = headers[k];
  return text;
}

function isJsonContentType(request: Request): boolean {
  const raw = request.headers.get("content-type") ?? "";
  if (raw === "application/json") return true;
  const ct = raw.split(";")[0].trim().toLowerCase();
  return ct === "application/json" || (ct.startsWith("application/") && ct.endsWith("+json"));
}

export function mcpRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  const catalog = new ToolCatalog(selectTools(deps.config.mcpTools));
  const allowedOrigins = deps.config.mcpAllowedOrigins;

  type Server = { timeout?(request: Request, seconds: number): void } | null;
  const post = async ({ request, server, set }: { request: Request; server: Server; set: Set }): Promise<Response | string> => {
    const origin = request.headers.get("origin");
    if (!originAllowed(request, origin, allowedOrigins)) {
      return rpcJson(403, rpcError(null, INVALID_REQUEST, "Origin not allowed"));
    }
    const cors = corsHeaders(origin);
    // Credentials first, before anything in the body is read (docs/protocol/mcp.md#order-of-checks-on-post).
    const auth = new RequestAuth(deps, request.headers);
    try {
      await auth.identity();
    } catch (err) {
      // 401 (no or bad key), or the refusals auth itself makes (a deleted agent's key, 404).
      if (!(err instanceof AppError)) throw err;
      const message = typeof err.detail === "string" ? err.detail : "Authentication required";
      const challenge: Record<string, string> = err.status === 401 ? { "www-authenticate": "Bearer" } : {};
      return rpcJson(err.status, rpcError(null, UNAUTHORIZED, message), { ...cors, ...challenge });
    }
    if (!isJsonContentType(request)) {
      return rpcJson(415, rpcError(null, INVALID_REQUEST, "Content-Type must be application/json"), cors);
    }
    let payload: unknown;
    try {
      payload = await request.json();
    } catch {
      return rpcJson(400, rpcError(null, PARSE_ERROR, "Parse error"), cors);
    }

    // The version header is sent after the handshake; without it the spec says assume 2025-03-26.
    const header = request.headers.get("mcp-protocol-version");
    const initializing = !Array.isArray(payload) && (payload as { method?: unknown } | null)?.method === "initialize";
    if (header !== null && !initializing && !(SUPPORTED_VERSIONS as readonly string[]).includes(header)) {
      return rpcJson(
        400,
        rpcError(null, INVALID_REQUEST, `Unsupported MCP-Protocol-Version: ${header}`, { supported: SUPPORTED_VERSIONS, requested: header }),
        cors,
      );
    }
    const version = header ?? DEFAULT_VERSION;
    let signal: AbortSignal | undefined;
    const session: Session = {
      deps,
      auth,
      catalog,
      // Built on first use: only a waiting tool (chat_send) needs it, and
      // AbortSignal.any costs ~5 µs and a listener on the shutdown signal per call.
      get signal() {
        return (signal ??= AbortSignal.any([request.signal, ctx.shutdownSignal]));
      },
      allowLongWait: () => server?.timeout?.(request, 0),
      inBatch: false,
    };

    if (Array.isArray(payload)) {
      if (!BATCH_VERSIONS.has(version)) {
        return rpcJson(400, rpcError(null, INVALID_REQUEST, `JSON-RPC batches are not supported in protocol version ${version}`), cors);
      }
      if (payload.length === 0) return rpcJson(400, rpcError(null, INVALID_REQUEST, "Invalid request: empty batch"), cors);
      const batch = { ...session, inBatch: true };
      const answers = (await Promise.all(payload.map((m) => handleMessage(batch, m)))).filter((r): r is RpcResponse => r !== null);
      if (answers.length === 0) return new Response(null, { status: 202, headers: cors });
      return rpcOk(set, `[${answers.map(serialize).join(",")}]`, cors);
    }
    const answer = await handleMessage(session, payload);
    if (answer === null) return new Response(null, { status: 202, headers: cors });
    // A message that is not JSON-RPC at all is refused at the HTTP level too.
    if ("error" in answer && answer.error.code === INVALID_REQUEST) return rpcJson(400, answer, cors);
    return rpcOk(set, serialize(answer), cors);
  };

  // No server-initiated stream and no sessions: GET and DELETE are not offered.
  const notOffered = ({ request }: { request: Request }) =>
    rpcJson(405, rpcError(null, INVALID_REQUEST, "Method not allowed: POST JSON-RPC messages to /mcp"), {
      ...corsHeaders(request.headers.get("origin")),
      allow: "POST, OPTIONS",
    });

  const preflight = ({ request }: { request: Request }) => {
    const origin = request.headers.get("origin");
    if (!originAllowed(request, origin, allowedOrigins)) return rpcJson(403, rpcError(null, INVALID_REQUEST, "Origin not allowed"));
    return new Response(null, {
      status: 204,
      headers: {
        ...corsHeaders(origin),
        "access-control-allow-methods": ALLOWED_METHODS,
        "access-control-allow-headers": ALLOWED_HEADERS,
        "access-control-max-age": "600",
      },
    });
  };

  // The OpenAPI document lists POST /mcp only: the trailing-slash twin, the 405s
  // and the preflight are transport details (docs/protocol/mcp.md#transport).
  const doc = describe("Model Context Protocol (Streamable HTTP, JSON answers)", TAG, { 200: t.Union([RpcBody, t.Array(RpcBody)]), 202: null }, [400, 401, 403, 415]);
  const hidden = { hide: true };
  const app = new Elysia();
  for (const path of ["/mcp", "/mcp/"]) {
    app
      .post(path, post, { parse: "none", detail: path === "/mcp" ? doc : hidden })
      .get(path, notOffered, { detail: hidden })
      .delete(path, notOffered, { detail: hidden })
      .options(path, preflight, { detail: hidden });
  }
  return app;
}
