// Hostile values inside otherwise valid requests. These may be accepted (a NUL
// in a subject could be refused or stored), so the only rule is: never a 5xx,
// always JSON, every 4xx with a `detail`.
import { makeCase, type Case } from "./cases";
import type { Example } from "./examples";
import type { Route } from "./openapi";
import type { Rng } from "./rng";
import { pathText, setAt, slotsOf } from "./schema";
import { HOSTILE_QUERY, HOSTILE_STRINGS, deepArray, deepObject, unknownUuid } from "./values";
import { badQueryValues, type FuzzContext } from "./must-fail";

const ALWAYS = ["\u0000", "a\u0000b", "\ud800", "'; drop table aweb.agents; --", "a".repeat(100_000)];
const NUMBERS: unknown[] = [-1, 0, 1.5, 1e308, -1e308, 2 ** 53, -(2 ** 63), "60", " 60 ", "abc", "", null, true, [], {}];

function sample<T>(rng: Rng, items: readonly T[], n: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(items));
  return out;
}

export function hostileCases(route: Route, given: Example, ctx: FuzzContext, rng: Rng): Case[] {
  if (route.stream) return [];
  const out: Case[] = [];
  // Destructive routes aim at an id that names nothing: the world must survive the pass.
  const ex: Example = given.destructive
    ? { ...given, pathParams: Object.fromEntries(Object.keys(given.pathParams).map((k) => [k, unknownUuid()])) }
    : given;
  const add = (label: string, parts: Parameters<typeof makeCase>[3]) => out.push(makeCase(route, ex, label, parts));

  for (const name of route.queryParams) {
    if (badQueryValues(route, name).length > 0 && name !== "limit") continue; // validated params: pass 1
    const values = name === "limit" ? ["99999999999999999999", "2147483648", "9223372036854775808", "0", "+5", " 7 "] : [...ALWAYS.slice(0, 2), ...sample(rng, HOSTILE_QUERY, 6)];
    for (const v of values) add(`hostile query ${name}=${JSON.stringify(v.slice(0, 30))}`, { query: { [name]: v } });
  }
  for (const name of route.pathParams) {
    if (name !== "bead_id") continue;
    for (const v of [...ALWAYS.slice(0, 2), ...sample(rng, HOSTILE_STRINGS.filter((s) => s !== ""), 6)]) {
      add(`hostile path ${name}=${JSON.stringify(v.slice(0, 30))}`, { pathParams: { [name]: v } });
    }
  }
  if (route.key === "POST /v1/beads/upload-jsonl") {
    const issue = (x: Record<string, unknown>) => JSON.stringify({ id: "fz-h", title: "t", status: "open", ...x });
    const texts = [
      issue({ title: "\u0000" }),
      issue({ title: "a".repeat(100_000) }),
      issue({ id: "\u0000" }),
      issue({ labels: ["\u0000", "x"] }),
      issue({ priority: 1e308 }),
      issue({ priority: -(2 ** 40) }),
      issue({ created_at: "not a date" }),
      issue({ updated_at: "9999-99-99T00:00:00Z" }),
      issue({ blocked_by: deepArray(8) }),
      issue({ dependencies: [{ depends_on_id: "\u0000", type: "blocks" }] }),
      Array.from({ length: 10_001 }, (_, i) => JSON.stringify({ id: `n-${i}` })).join("\n"),
    ];
    for (const text of texts) add(`hostile jsonl ${text.slice(0, 40)}`, { raw: { text, contentType: "text/plain" } });
  }
  if (route.key === "POST /mcp") {
    const w = ctx.world;
    // Hostile values in every argument a tool takes (unknown arguments would stop at -32602).
    const argsOf: Record<string, (v: string) => Record<string, unknown>> = {
      register_agent: (v) => ({ workspace_id: w.owner.workspace_id, alias: v, program: v, model: v, role: v }),
      get_issue: (v) => ({ bead_id: v, repo: v, branch: v }),
      list_issues: (v) => ({ repo: v, assignee: v, label: v, query: v, cursor: v }),
      claim_issue: (v) => ({ bead_id: v }),
      escalate: (v) => ({ subject: v, situation: v, options: [v] }),
      send_message: (v) => ({ to: [v], subject: v, body: v }),
      lock_acquire: (v) => ({ paths: [v], reason: v }),
      get_policy: (v) => ({ role: v }),
    };
    for (const [tool, argsFor] of Object.entries(argsOf)) {
      for (const v of [...ALWAYS, ...sample(rng, HOSTILE_STRINGS, 3)]) {
        const args = argsFor(v);
        add(`hostile mcp ${tool}`, { body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: tool, arguments: args } } });
      }
    }
  }
  if (route.body === null || ex.body === undefined) return out;

  for (const slot of slotsOf(route.body, ex.body)) {
    const at = pathText(slot.path);
    if (slot.types === null) {
      for (const v of [...NUMBERS, deepObject(rng.int(50, 2000)), ...sample(rng, HOSTILE_STRINGS, 3)]) {
        add(`hostile ${at}=${JSON.stringify(v)?.slice(0, 30)}`, { body: setAt(ex.body, slot.path, v) });
      }
      continue;
    }
    if (slot.types.has("string")) {
      for (const v of [...ALWAYS, ...sample(rng, HOSTILE_STRINGS, 5)]) {
        add(`hostile ${at}=${JSON.stringify(v.slice(0, 30))}`, { body: setAt(ex.body, slot.path, v) });
      }
    }
    if (slot.types.has("object") || slot.types.has("array")) {
      const deep = slot.types.has("object") ? { nested: deepObject(rng.int(50, 3000)), "\u0000": "\u0000" } : [deepArray(rng.int(50, 3000))];
      add(`hostile ${at} deep`, { body: setAt(ex.body, slot.path, deep) });
    }
    if (slot.types.has("array")) {
      add(`hostile ${at} many items`, { body: setAt(ex.body, slot.path, Array.from({ length: 5000 }, (_, i) => `x${i}`)) });
    }
  }
  if (route.body.additionalProperties !== false && typeof ex.body === "object" && ex.body !== null) {
    add("hostile extra fields", { body: { ...(ex.body as object), unexpected: deepObject(rng.int(50, 2000)), "x\u0000y": "\u0000" } });
    add("hostile __proto__ field", { raw: { text: JSON.stringify(ex.body).replace(/^\{/, '{"__proto__":{"admin":true},'), contentType: "application/json" } });
  }
  return out;
}
