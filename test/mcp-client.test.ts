// Conformance with the official MCP client: @modelcontextprotocol/sdk's Client
// and StreamableHTTPClientTransport against this server on a spare port, with
// no workarounds. The SDK validates every structuredContent against the
// tool's outputSchema itself (callTool throws on a mismatch).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { initAgent, startTestApp, type Agent } from "./support/harness";

const t = await startTestApp();
let base = "";
const clients: Client[] = [];

beforeAll(() => {
  t.handle.app.listen({ port: 0, hostname: "127.0.0.1", reusePort: false });
  base = `http://127.0.0.1:${t.handle.app.server!.port}`;
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  t.handle.app.server!.stop(true);
  await t.close();
});

const alice = await initAgent(t, { project_slug: "sdk", alias: "alice", human_name: "Alice", role: "developer" });
const bob = await initAgent(t, { project_slug: "sdk", alias: "bob", human_name: "Bob", role: "reviewer" });
// A human of the project, who answers escalations over REST.
const hannah = await initAgent(t, { project_slug: "sdk", alias: "hannah", human_name: "Hannah", repo_origin: null });
await t.sql`update aweb.agents set agent_type = 'human' where agent_id = ${hannah.agent_id}`;
const other = await initAgent(t, { project_slug: "sdk-other", alias: "zed", human_name: "Zed" });

await t.request("POST", "/v1/beads/upload", {
  token: alice.api_key,
  body: { repo: "github.com/acme/sdk", branch: "main", issues: [{ id: "sdk-1", title: "Wire the parser", status: "open", priority: 1, issue_type: "task" }] },
});

async function connect(agent: Agent, path = "/mcp"): Promise<Client> {
  const client = new Client({ name: "beadhub-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(base + path), {
    requestInit: { headers: { Authorization: `Bearer ${agent.api_key}` } },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** callTool through the SDK; returns the structured result, or the error text with isError. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const r = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };
  return { isError: r.isError === true, text: r.content[0]?.text ?? "", data: r.structuredContent };
}

describe("the official MCP client", () => {
  test("connects (initialize + initialized, no session), reads the server info and instructions", async () => {
    const client = await connect(alice);
    expect(client.getServerVersion()).toMatchObject({ name: "beadhub" });
    expect(client.getServerCapabilities()).toMatchObject({ tools: { listChanged: false } });
    expect(client.getInstructions()).toContain('You are agent "alice"');
    expect(await client.ping()).toEqual({});
    // /mcp/ works as well
    await connect(alice, "/mcp/");
  });

  test("lists the tools; every schema is valid JSON Schema the SDK accepts", async () => {
    const client = await connect(alice);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThanOrEqual(29);
    const names = tools.map((x) => x.name);
    for (const n of ["start_session", "claim_issue", "lock_acquire", "send_message", "chat_send", "escalate", "status"]) expect(names).toContain(n);
    const ajv = new AjvJsonSchemaValidator();
    for (const tool of tools) {
      // The SDK's own validator compiles both schemas (strict about unknown keywords).
      expect(() => ajv.getValidator(tool.inputSchema as any)).not.toThrow();
      expect(() => ajv.getValidator(tool.outputSchema as any)).not.toThrow();
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.outputSchema?.type).toBe("object");
      expect(typeof tool.title).toBe("string");
      expect(tool.annotations).toMatchObject({ readOnlyHint: expect.any(Boolean), destructiveHint: expect.any(Boolean), idempotentHint: expect.any(Boolean) });
    }
  });

  test("a bad key never connects", async () => {
    const client = new Client({ name: "bad", version: "1" });
    const transport = new StreamableHTTPClientTransport(new URL(base + "/mcp"), {
      requestInit: { headers: { Authorization: "Bearer aw_sk_wrong" } },
    });
    await expect(client.connect(transport)).rejects.toThrow();
  });

  test("two agents coordinate over MCP alone", async () => {
    const a = await connect(alice);
    const b = await connect(bob);
    await a.listTools(); // the SDK checks results against the listed outputSchemas
    await b.listTools();

    const startA = await call(a, "start_session");
    expect(startA.data.you.alias).toBe("alice");
    expect(startA.data.ready_issues.map((i: any) => i.bead_id)).toContain("sdk-1");

    // A claims an issue and B is refused.
    expect((await call(a, "claim_issue", { bead_id: "sdk-1" })).data).toMatchObject({ bead_id: "sdk-1", alias: "alice" });
    const refused = await call(b, "claim_issue", { bead_id: "sdk-1" });
    expect(refused.isError).toBe(true);
    expect(refused.text).toStartWith("sdk-1 is being worked on by alice");

    // B locks a file and A is refused.
    expect((await call(b, "lock_acquire", { paths: ["src/parser.ts"], reason: "review" })).data.locks[0].holder_alias).toBe("bob");
    const locked = await call(a, "lock_acquire", { paths: ["src/parser.ts"] });
    expect(locked.isError).toBe(true);
    expect(locked.text).toStartWith("src/parser.ts is locked by bob");

    // A mails B, B replies.
    await call(a, "send_message", { to: ["bob"], subject: "parser.ts", body: "Can I have parser.ts when you are done?" });
    const inbox = await call(b, "fetch_inbox");
    const mail = inbox.data.messages.find((m: any) => m.subject === "parser.ts");
    expect(mail.from_alias).toBe("alice");
    await call(b, "reply_message", { message_id: mail.message_id, body: "Yes, in ten minutes" });
    await call(b, "acknowledge_message", { message_id: mail.message_id });
    const answer = (await call(a, "fetch_inbox")).data.messages.find((m: any) => m.subject === "Re: parser.ts");
    expect(answer).toMatchObject({ from_alias: "bob", body: "Yes, in ten minutes", thread_id: mail.message_id });

    // A chats and waits; B answers.
    const waiting = call(a, "chat_send", { to: ["bob"], message: "Does the parser need tests?", wait_seconds: 20 });
    let session: string | undefined;
    for (let i = 0; i < 100 && !session; i++) {
      const pending = await call(b, "chat_pending");
      session = pending.data.pending.find((p: any) => p.sender_waiting)?.session_id;
      if (!session) await Bun.sleep(50);
    }
    expect(session).toBeDefined();
    await call(b, "chat_send", { session_id: session, message: "Yes, unit tests please" });
    const chat = await waiting;
    expect(chat.isError).toBe(false);
    expect(chat.data.replies.map((m: any) => m.body)).toEqual(["Yes, unit tests please"]);

    // A escalates, a human answers over REST, A reads it.
    const esc = await call(a, "escalate", { subject: "Parser rewrite?", situation: "The old parser is beyond repair", options: ["rewrite", "patch"] });
    expect(esc.data.status).toBe("pending");
    const res = await t.request("POST", `/v1/escalations/${esc.data.escalation_id}/respond`, {
      token: hannah.api_key,
      body: { response: "rewrite", note: "Keep the old tests" },
    });
    expect(res.status).toBe(200);
    const read = await call(a, "get_escalation", { escalation_id: esc.data.escalation_id });
    expect(read.data).toMatchObject({ status: "responded", response: "rewrite", response_note: "Keep the old tests" });

    // Wrap up: B releases the lock, A takes it, A releases the claim.
    await call(b, "lock_release", { paths: ["src/parser.ts"] });
    expect((await call(a, "lock_acquire", { paths: ["src/parser.ts"] })).isError).toBe(false);
    expect((await call(a, "release_issue", { bead_id: "sdk-1" })).data.released).toBe(true);
    expect((await call(a, "lock_release_all")).data.released).toEqual(["src/parser.ts"]);
  });

  test("tenant isolation: a key of another project sees nothing over MCP", async () => {
    const z = await connect(other);
    await z.listTools();
    expect((await call(z, "list_issues")).data.issues).toEqual([]);
    expect((await call(z, "list_claims")).data.claims).toEqual([]);
    expect((await call(z, "get_issue", { bead_id: "sdk-1" })).text).toBe("Issue not found");
    expect((await call(z, "send_message", { to: ["alice"], body: "hi" })).text).toBe("Agent not found: alice");
  });

  test("malformed arguments are a protocol error the SDK raises", async () => {
    const a = await connect(alice);
    await expect(a.callTool({ name: "claim_issue", arguments: { bead: "x" } })).rejects.toThrow(/-32602|Invalid arguments/);
    await expect(a.callTool({ name: "no_such_tool", arguments: {} })).rejects.toThrow(/Unknown tool/);
  });
});
