// Random must-fail cases (to reach the request budget with variety) and the
// JSON-RPC cases of POST /mcp, whose failures answer HTTP 200 with an `error`.
import { makeCase, type Case } from "./cases";
import type { Example } from "./examples";
import type { Route } from "./openapi";
import type { Rng } from "./rng";
import { accepts, setAt, slotsOf } from "./schema";
import { ANY_JSON, BAD_UUIDS, deepArray, deepObject, unknownUuid } from "./values";
import { badQueryValues, queryWith, type FuzzContext } from "./must-fail";

function randomText(rng: Rng, max: number): string {
  const n = rng.int(1, max);
  let s = "";
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    s += r < 0.1 ? String.fromCharCode(rng.int(0, 31)) : r < 0.2 ? String.fromCharCode(rng.int(0x80, 0xffff)) : String.fromCharCode(rng.int(32, 126));
  }
  return s;
}

/** One random way of breaking a valid request; null when the strategy does not apply. */
export function randomCase(route: Route, ex: Example, ctx: FuzzContext, rng: Rng): Case | null {
  // Weighted: the always-applicable strategies (5, 6) would otherwise dominate.
  const strategy = rng.pick([0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 6]);
  const isMcp = route.key === "POST /mcp";
  const json = JSON.stringify(ex.body ?? {});
  switch (strategy) {
    case 0: {
      // A proper prefix of a JSON object is never valid JSON.
      if (route.stream || (route.body === null && !isMcp) || ex.raw) return null;
      const cut = rng.int(0, Math.max(0, json.length - 1));
      return makeCase(route, ex, `random: body truncated at ${cut}`, { raw: { text: json.slice(0, cut), contentType: "application/json" } });
    }
    case 1: {
      // Random text that does not start an object: invalid JSON or a non-object.
      if (route.stream || (route.body === null && !isMcp) || ex.raw) return null;
      let text = randomText(rng, 200);
      if (text.trimStart().startsWith("{")) text = "]" + text;
      return makeCase(route, ex, "random: garbage body", { raw: { text, contentType: "application/json" } });
    }
    case 2: {
      // A random wrong-typed value in a random typed field.
      if (route.stream || route.body === null || ex.body === undefined) return null;
      const slots = slotsOf(route.body, ex.body).filter((s) => s.types !== null);
      if (slots.length === 0) return null;
      const slot = rng.pick(slots);
      const candidates = [...ANY_JSON, deepArray(rng.int(1, 50)), deepObject(rng.int(1, 50)), rng.next() * 1e6, -rng.int(1, 1e9)];
      const wrong = candidates.filter((v) => !accepts(slot.types, v));
      if (wrong.length === 0) return null;
      const v = rng.pick(wrong);
      return makeCase(route, ex, `random: ${slot.path.join(".")} wrong type`, { body: setAt(ex.body, slot.path, v) });
    }
    case 3: {
      // A bad query parameter value.
      const names = route.queryParams.filter((n) => badQueryValues(route, n).length > 0);
      if (names.length === 0) return null;
      const name = rng.pick(names);
      const v = rng.pick(badQueryValues(route, name));
      return makeCase(route, ex, `random: query ${name}`, { query: queryWith(route, name, v) });
    }
    case 4: {
      // An unknown or malformed id in a path parameter.
      const names = route.pathParams;
      if (names.length === 0) return null;
      const name = rng.pick(names);
      const v = name === "bead_id" ? `nope-${rng.int(0, 1e9)}` : rng.chance(0.5) ? unknownUuid() : rng.pick(BAD_UUIDS.filter(Boolean)) + randomText(rng, 5);
      return makeCase(route, ex, `random: path ${name}`, { pathParams: { [name]: v } });
    }
    case 5: {
      // A random unknown API key.
      if (route.key === "GET /health" || route.key === "GET /v1/dashboard/config" || route.key === "POST /v1/init" || route.key === "POST /v1/agents/suggest-alias-prefix" || isMcp) return null;
      const hex = Array.from({ length: 64 }, () => "0123456789abcdef"[rng.int(0, 15)]).join("");
      return makeCase(route, ex, "random: unknown key", { auth: { authorization: `Bearer aw_sk_${hex}` } });
    }
    default: {
      const size = ctx.maxBodyBytes + rng.int(1, 1 << 30);
      return makeCase(route, ex, "random: oversized content-length", { headers: { "content-length": String(size) } });
    }
  }
}

export interface McpCase {
  case: Case;
}

/** JSON-RPC requests that must answer an `error` (never a `result`, never -32000). */
export function mcpCases(route: Route, ex: Example, ctx: FuzzContext, rng: Rng): Case[] {
  const w = ctx.world;
  const ws = w.owner.workspace_id!;
  const rpc = (params: unknown, extra: Record<string, unknown> = {}) => ({ jsonrpc: "2.0", id: rng.int(1, 1e6), method: "tools/call", params, ...extra });
  const bodies: [string, unknown][] = [
    ["jsonrpc 1.0", { ...rpc({ name: "status", arguments: { workspace_id: ws } }), jsonrpc: "1.0" }],
    ["no jsonrpc", { id: 1, method: "tools/call", params: { name: "status" } }],
    ["method resources/list", { ...rpc({}), method: "resources/list" }],
    ["method missing", { jsonrpc: "2.0", id: 1 }],
    ["params array", rpc([1, 2])],
    ["params string", rpc("x")],
    ["name number", rpc({ name: 42 })],
    ["name missing", rpc({ arguments: {} })],
    ["arguments array", rpc({ name: "status", arguments: [ws] })],
    ["arguments string", rpc({ name: "status", arguments: "x" })],
    ["unknown tool", rpc({ name: "drop_tables", arguments: {} })],
    ["tool __proto__", rpc({ name: "__proto__", arguments: {} })],
    ["tool constructor", rpc({ name: "constructor", arguments: {} })],
    ["tool toString", rpc({ name: "toString", arguments: {} })],
  ];
  // Each tool with its required arguments (docs/protocol/mcp.md#tools).
  const tools: Record<string, string[]> = {
    get_issue: ["bead_id"],
    claim_issue: ["bead_id"],
    release_issue: ["bead_id"],
    escalate: ["subject", "situation"],
    get_escalation: ["escalation_id"],
    send_message: ["to", "body"],
    reply_message: ["message_id", "body"],
    acknowledge_message: ["message_id"],
    chat_history: ["session_id"],
    chat_mark_read: ["session_id", "up_to_message_id"],
    lock_acquire: ["paths"],
    lock_renew: ["paths"],
  };
  const valid: Record<string, unknown> = {
    bead_id: w.beadIds[1],
    escalation_id: w.escalationId,
    subject: "s",
    situation: "x",
    to: [w.peer.alias],
    body: "b",
    message_id: w.messageId,
    session_id: w.sessionId,
    up_to_message_id: w.messageId,
    paths: ["fuzz/path"],
  };
  for (const [tool, args] of Object.entries(tools)) {
    bodies.push([`${tool} without arguments`, rpc({ name: tool })]);
    for (const a of args) {
      const rest = Object.fromEntries(args.filter((x) => x !== a).map((x) => [x, valid[x]]));
      bodies.push([`${tool} missing ${a}`, rpc({ name: tool, arguments: rest })]);
      if (a.endsWith("_id") && a !== "bead_id") {
        for (const bad of ["not-a-uuid", "' or 1=1 --", "\u0000", "x".repeat(10_000)]) {
          bodies.push([`${tool} ${a}=${JSON.stringify(bad.slice(0, 20))}`, rpc({ name: tool, arguments: { ...rest, [a]: bad } })]);
        }
        bodies.push([`${tool} ${a} unknown`, rpc({ name: tool, arguments: { ...rest, [a]: unknownUuid() } })]);
      }
    }
  }
  return bodies.map(([label, body]) => makeCase(route, ex, `mcp: ${label}`, { body }));
}
