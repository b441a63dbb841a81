// /mcp over Streamable HTTP (docs/protocol/mcp.md): every protocol rule —
// status codes, headers, JSON-RPC error codes, 202s, batches, version
// negotiation, Origin, auth before arguments — through app.handle().
import { afterAll, describe, expect, test } from "bun:test";
import { signProxyMessage } from "../src/auth/proxy";
import { initAgent, startTestApp, type Agent } from "./support/harness";

const SECRET = "mcp-secret";
const t = await startTestApp({
  config: { internalAuthSecret: SECRET, mcpAllowedOrigins: ["https://allowed.example"] },
});
afterAll(() => t.close());

const alice = await initAgent(t, { project_slug: "mcp", alias: "alice", human_name: "Alice" });

const JSON_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

function post(body: unknown, opts: { a?: Agent | null; headers?: Record<string, string>; raw?: string } = {}) {
  const a = opts.a === undefined ? alice : opts.a;
  return t.request("POST", "/mcp", {
    body: opts.raw === undefined ? body : undefined,
    raw: opts.raw,
    token: a?.api_key,
    headers: { ...JSON_HEADERS, ...opts.headers },
  });
}

const req = (method: string, params?: unknown, id: unknown = 1) => ({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });

describe("initialize and the handshake", () => {
  test("initialize echoes a supported version and says who the caller is", async () => {
    for (const v of ["2025-11-25", "2025-06-18", "2025-03-26"]) {
      const res = await post(req("initialize", { protocolVersion: v, capabilities: {}, clientInfo: { name: "t", version: "1" } }));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(res.body).toMatchObject({
        jsonrpc: "2.0",
        id: 1,
        result: {
          protocolVersion: v,
          capabilities: { tools: { listChanged: false } },
          serverInfo: { name: "beadhub", version: expect.any(String) },
        },
      });
      expect(res.body.result.instructions).toContain('You are agent "alice"');
      expect(res.body.result.instructions).toContain("start_session");
    }
  });

  test("an unknown version gets the latest offered; a missing one is -32602 with supported/requested", async () => {
    const res = await post(req("initialize", { protocolVersion: "2024-01-01", capabilities: {} }));
    expect(res.status).toBe(200);
    expect(res.body.result.protocolVersion).toBe("2025-11-25");
    const bad = await post(req("initialize", { capabilities: {} }, 2));
    expect(bad.status).toBe(200);
    expect(bad.body).toEqual({
      jsonrpc: "2.0",
      id: 2,
      error: {
        code: -32602,
        message: "Invalid params: protocolVersion is required",
        data: { supported: ["2025-11-25", "2025-06-18", "2025-03-26"], requested: null },
      },
    });
  });

  test("notifications and client responses get 202 with no body; ping answers {}", async () => {
    for (const body of [
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } },
      { jsonrpc: "2.0", id: 9, result: {} },
    ]) {
      const res = await post(body);
      expect(res.status).toBe(202);
      expect(res.text).toBe("");
    }
    const ping = await post(req("ping", undefined, "p"));
    expect(ping.status).toBe(200);
    expect(ping.body).toEqual({ jsonrpc: "2.0", id: "p", result: {} });
  });

  test("/mcp/ is the same endpoint", async () => {
    const res = await t.request("POST", "/mcp/", { body: req("ping"), token: alice.api_key, headers: JSON_HEADERS });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ jsonrpc: "2.0", id: 1, result: {} });
  });
});

describe("MCP-Protocol-Version", () => {
  test("a supported version passes, an unsupported one is 400 after the handshake", async () => {
    const ok = await post(req("ping"), { headers: { "mcp-protocol-version": "2025-06-18" } });
    expect(ok.status).toBe(200);
    const bad = await post(req("ping"), { headers: { "mcp-protocol-version": "1999-01-01" } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: {
        code: -32600,
        message: "Unsupported MCP-Protocol-Version: 1999-01-01",
        data: { supported: ["2025-11-25", "2025-06-18", "2025-03-26"], requested: "1999-01-01" },
      },
    });
    // initialize itself is where the version is negotiated: the header is not checked there.
    const init = await post(req("initialize", { protocolVersion: "2025-06-18", capabilities: {} }), {
      headers: { "mcp-protocol-version": "1999-01-01" },
    });
    expect(init.status).toBe(200);
  });
});

describe("batches", () => {
  test("accepted for 2025-03-26 (also when the header is absent): answers for requests only", async () => {
    for (const headers of [{ "mcp-protocol-version": "2025-03-26" }, {}] as Record<string, string>[]) {
      const res = await post([req("ping", undefined, 1), { jsonrpc: "2.0", method: "notifications/initialized" }, req("nope", undefined, 2)], { headers });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        { jsonrpc: "2.0", id: 1, result: {} },
        { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "Method not found: nope" } },
      ]);
    }
    // Tool results inside a batch are whole JSON values too.
    const calls = await post([
      req("tools/call", { name: "whoami", arguments: {} }, "w"),
      req("tools/call", { name: "get_issue", arguments: { bead_id: "nope" } }, "g"),
    ]);
    expect(calls.status).toBe(200);
    expect(calls.body[0]).toMatchObject({ id: "w", result: { structuredContent: { alias: "alice" } } });
    expect(JSON.parse(calls.body[0].result.content[0].text)).toEqual(calls.body[0].result.structuredContent);
    expect(calls.body[1]).toEqual({ jsonrpc: "2.0", id: "g", result: { content: [{ type: "text", text: "Issue not found" }], isError: true } });
    const onlyNotes = await post([{ jsonrpc: "2.0", method: "notifications/initialized" }]);
    expect(onlyNotes.status).toBe(202);
    expect(onlyNotes.text).toBe("");
    const withInit = await post([req("initialize", { protocolVersion: "2025-03-26" }, 5)]);
    expect(withInit.body).toEqual([
      { jsonrpc: "2.0", id: 5, error: { code: -32600, message: "Invalid request: initialize cannot be part of a batch" } },
    ]);
  });

  test("refused with -32600 for later revisions, and when empty", async () => {
    for (const v of ["2025-06-18", "2025-11-25"]) {
      const res = await post([req("ping")], { headers: { "mcp-protocol-version": v } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: `JSON-RPC batches are not supported in protocol version ${v}` },
      });
    }
    const empty = await post([]);
    expect(empty.status).toBe(400);
    expect(empty.body.error).toEqual({ code: -32600, message: "Invalid request: empty batch" });
  });
});

describe("JSON-RPC errors", () => {
  test("parse error -32700 with id null", async () => {
    for (const raw of ["{nope", ""]) {
      const res = await post(undefined, { raw });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
    }
  });

  test("invalid requests are -32600", async () => {
    const cases: [unknown, unknown, string][] = [
      [{ jsonrpc: "1.0", id: 1, method: "ping" }, 1, 'Invalid request: jsonrpc must be "2.0"'],
      [{ id: "a", method: "ping" }, "a", 'Invalid request: jsonrpc must be "2.0"'],
      [{ jsonrpc: "2.0", id: 3 }, 3, "Invalid request: method is required"],
      [{ jsonrpc: "2.0", id: 4, method: 7 }, 4, "Invalid request: method must be a string"],
      [{ jsonrpc: "2.0", id: { x: 1 }, method: "ping" }, null, "Invalid request: id must be a string or a number"],
      ["ping", null, "Invalid request: a JSON-RPC message is an object"],
    ];
    for (const [body, id, message] of cases) {
      const res = await post(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toEqual({ jsonrpc: "2.0", id, error: { code: -32600, message } });
    }
  });

  test("unknown method -32601; unknown tool and malformed arguments -32602", async () => {
    expect((await post(req("resources/list"))).body).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32601, message: "Method not found: resources/list" },
    });
    const cases: [unknown, string][] = [
      [{ name: "rm_rf" }, "Unknown tool: rm_rf"],
      [{ name: "toString" }, "Unknown tool: toString"],
      [{}, "Invalid params: name must be a string"],
      [{ name: "get_issue", arguments: [1] }, "Invalid params: arguments must be an object"],
    ];
    for (const [params, message] of cases) {
      const res = await post(req("tools/call", params, "x"));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ jsonrpc: "2.0", id: "x", error: { code: -32602, message } });
    }
    const notObject = await post(req("tools/call", ["get_issue"]));
    expect(notObject.body.error).toEqual({ code: -32602, message: "Invalid params: params must be an object" });
    const missing = await post(req("tools/call", { name: "get_issue", arguments: {} }));
    expect(missing.status).toBe(200);
    expect(missing.body.error.code).toBe(-32602);
    expect(missing.body.error.message).toStartWith("Invalid arguments for get_issue: /bead_id:");
    expect(missing.body.error.data.errors[0].path).toBe("/bead_id");
    const extra = await post(req("tools/call", { name: "whoami", arguments: { alias: "mallory" } }));
    expect(extra.body.error.code).toBe(-32602);
    const badUuid = await post(req("tools/call", { name: "get_escalation", arguments: { escalation_id: "nope" } }));
    expect(badUuid.body.error.code).toBe(-32602);
  });

  test("a tool that runs and fails is a result with isError, never an HTTP status in error.code", async () => {
    const res = await post(req("tools/call", { name: "get_issue", arguments: { bead_id: "bd-404" } }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      jsonrpc: "2.0",
      id: 1,
      result: { content: [{ type: "text", text: "Issue not found" }], isError: true },
    });
  });
});

describe("auth comes first", () => {
  test("no or bad key: 401, WWW-Authenticate: Bearer, JSON-RPC error body, before the body is read", async () => {
    for (const headers of [{}, { authorization: "Bearer aw_sk_nope" }, { authorization: "Basic x" }] as Record<string, string>[]) {
      // A body that is not even JSON: the 401 must come before it is looked at.
      const res = await post(undefined, { a: null, raw: "{nope", headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(res.body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32001, message: expect.any(String) } });
    }
  });

  test("signed proxy headers work as on REST", async () => {
    const project = alice.project_id;
    const message = `v2:${project}:k:${crypto.randomUUID()}:${alice.agent_id}`;
    const headers: Record<string, string> = {
      "x-bh-auth": `${message}:${signProxyMessage(SECRET, message)}`,
      "x-project-id": project,
      "x-api-key": message.split(":")[3],
      "x-aweb-actor-id": alice.agent_id,
    };
    const res = await post(req("tools/call", { name: "whoami", arguments: {} }), { a: null, headers });
    expect(res.status).toBe(200);
    expect(res.body.result.structuredContent).toMatchObject({ alias: "alice", project_id: project });
  });

  test("/.well-known/oauth-* stays a JSON 404", async () => {
    for (const path of ["/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"]) {
      const res = await t.request("GET", path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: "Not Found" });
    }
  });
});

describe("HTTP methods, content type, Origin and CORS", () => {
  test("GET and DELETE answer 405", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await t.request(method, "/mcp", { token: alice.api_key, headers: { accept: "text/event-stream" } });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST, OPTIONS");
      expect(res.body.error.code).toBe(-32600);
    }
  });

  test("a body that is not JSON by Content-Type is 415", async () => {
    // text/plain, forms and multipart are refused app-wide before any route (CORS-simple bodies).
    const plain = await post(undefined, { raw: JSON.stringify(req("ping")), headers: { "content-type": "text/plain" } });
    expect(plain.status).toBe(415);
    const res = await post(undefined, { raw: JSON.stringify(req("ping")), headers: { "content-type": "application/xml" } });
    expect(res.status).toBe(415);
    expect(res.body.error).toEqual({ code: -32600, message: "Content-Type must be application/json" });
  });

  test("Origin: own or listed passes (with CORS headers), any other is 403 before auth", async () => {
    for (const origin of ["http://localhost", "https://allowed.example"]) {
      const res = await post(req("ping"), { headers: { origin } });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
    }
    const evil = await post(req("ping"), { a: null, headers: { origin: "https://evil.example" } });
    expect(evil.status).toBe(403);
    expect(evil.body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Origin not allowed" } });
    const noOrigin = await post(req("ping"));
    expect(noOrigin.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("CORS preflight for allowed origins; refused for others", async () => {
    const ok = await t.request("OPTIONS", "/mcp", {
      headers: { origin: "https://allowed.example", "access-control-request-method": "POST" },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://allowed.example");
    expect(ok.headers.get("access-control-allow-headers")).toBe(
      "Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-ID",
    );
    expect(ok.headers.get("access-control-allow-methods")).toContain("POST");
    const bad = await t.request("OPTIONS", "/mcp", { headers: { origin: "https://evil.example" } });
    expect(bad.status).toBe(403);
  });
});

describe("tools/list", () => {
  test("every tool has name, title, description, object input and output schemas and annotations", async () => {
    const res = await post(req("tools/list"));
    expect(res.status).toBe(200);
    const tools = res.body.result.tools as any[];
    expect(tools.length).toBeGreaterThanOrEqual(25);
    for (const tool of tools) {
      expect(tool).toMatchObject({
        name: expect.stringMatching(/^[a-z_]+$/),
        title: expect.any(String),
        description: expect.any(String),
        inputSchema: { type: "object" },
        outputSchema: { type: "object" },
        annotations: {
          readOnlyHint: expect.any(Boolean),
          destructiveHint: expect.any(Boolean),
          idempotentHint: expect.any(Boolean),
        },
      });
    }
    expect(res.body.result.nextCursor).toBeUndefined();
  });
});
