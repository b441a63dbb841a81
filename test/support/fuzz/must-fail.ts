// Requests that must fail: each one breaks a valid example in exactly one way
// (or, in the random fill, in several ways at once). Every answer must be a 4xx
// with a JSON `detail`, and none may change a row.
import { makeCase, type Case } from "./cases";
import type { Example } from "./examples";
import type { Route } from "./openapi";
import type { Rng } from "./rng";
import { accepts, objectsOf, pathText, setAt, slotsOf } from "./schema";
import { ANY_JSON, BAD_BOOLS, BAD_CURSORS, BAD_INTS, BAD_TIMESTAMPS, BAD_UUIDS, MALFORMED_JSON, deepArray, unknownUuid } from "./values";
import { proxyHeaders } from "../proxy";
import type { World } from "./world";

export interface FuzzContext {
  world: World;
  secret: string;
  maxBodyBytes: number;
  /** Paths → the methods registered on them (for wrong-method cases). */
  methodsByPath: Map<string, Set<string>>;
}

/** Routes that answer without authentication (docs/protocol/auth.md). */
const NO_AUTH = new Set(["GET /health", "GET /v1/dashboard/config", "POST /v1/init", "POST /v1/agents/suggest-alias-prefix", "POST /v1/workspaces/suggest-name-prefix"]);
/** …and those that also ignore a bad Authorization header. */
const IGNORES_AUTH = new Set(["GET /health", "GET /v1/dashboard/config", "POST /v1/init", "POST /v1/agents/suggest-alias-prefix"]);
/** Alternative filters (the first present wins): a bad value is only seen when the others are absent. */
const ALTERNATIVES: Record<string, string[]> = {
  "GET /v1/status": ["workspace_id", "repo_id"],
  "GET /v1/status/stream": ["workspace_id", "repo", "human_name"],
  "GET /v1/escalations/": ["workspace_id", "repo_id"],
};

/** The query of a case that puts `value` in `name`, with competing filters removed. */
export function queryWith(route: Route, name: string, value: string): Record<string, string | undefined> {
  const q: Record<string, string | undefined> = {};
  for (const other of ALTERNATIVES[route.key] ?? []) if (other !== name) q[other] = undefined;
  q[name] = value;
  return q;
}

/** limit without an upper bound (beadhub.md §7.5): a huge value is valid there. */
const UNBOUNDED_LIMIT = new Set(["GET /v1/beads/ready"]);

const BOOL_PARAMS = new Set(["unread_only", "include_deleted", "include_claims", "include_presence", "only_with_claims", "always_include_workspace_id", "only_selected"]);
const UUID_PARAMS = new Set(["workspace_id", "repo_id", "project_id"]);
const BAD_ALIASES = ["-x", "a b", "a/b", "a.b", "\u0000", "x".repeat(65), "é"];

/** Bad values for a query parameter, by name; [] = free text (may legitimately succeed). */
export function badQueryValues(route: Route, name: string): string[] {
  if (name === "limit") return UNBOUNDED_LIMIT.has(route.key) ? BAD_INTS.filter((v) => !/^\d+$/.test(v)) : BAD_INTS;
  if (name === "cursor") return BAD_CURSORS;
  if (BOOL_PARAMS.has(name)) return BAD_BOOLS;
  if (UUID_PARAMS.has(name)) return BAD_UUIDS.filter((v) => v !== "");
  if (name === "deadline" || name === "after") return BAD_TIMESTAMPS;
  if (name === "event_types") return ["bogus", ",", "bead,,message", "BEAD;x", "\u0000", "x".repeat(1000)];
  if (name === "alias" && route.key.includes("subscriptions")) return [...BAD_ALIASES, ""];
  if (name === "alias" && route.key.includes("escalations")) return BAD_ALIASES;
  if (name === "status" && route.key === "GET /v1/escalations/") return ["bogus", "PENDING", "\u0000", "x".repeat(21)];
  if (name === "status" && route.key === "GET /v1/beads/issues") return ["bogus", "open,bogus", "\u0000"];
  if (name === "type" && route.key === "GET /v1/beads/issues") return ["bogus", "\u0000"];
  if (name === "repo" && route.key === "POST /v1/beads/upload-jsonl") return ["", "not a repo", "x".repeat(256), "\u0000"];
  if ((name === "repo" || name === "branch") && route.key.startsWith("GET /v1/beads/")) return ["not a repo!", "x".repeat(256), "\u0000", "-x"];
  return [];
}

function badPathValues(name: string): string[] {
  if (name === "bead_id") return ["x".repeat(256), "no-such-bead", "\u0000", "../../etc/passwd", "' or 1=1 --"];
  // Not "": "/v1/escalations/{id}" with an empty id is the list route.
  return [...BAD_UUIDS.filter((v) => v !== ""), unknownUuid(), unknownUuid().toUpperCase(), "{" + unknownUuid() + "}"];
}

function authVariants(ctx: FuzzContext, ex: Example): [string, Record<string, string>][] {
  const w = ctx.world;
  const key = ex.token ?? w.owner.api_key;
  const bogus = "aw_sk_" + "0".repeat(64);
  const p = w.owner.project_id;
  const a = w.owner.agent_id;
  const good = proxyHeaders(ctx.secret, p, a, { type: "k" });
  const wrongSig = { ...good, "x-bh-auth": good["x-bh-auth"].replace(/.$/, (c) => (c === "0" ? "1" : "0")) };
  const otherSecret = proxyHeaders("not-the-secret", p, a, { type: "k" });
  return [
    ["no auth", {}],
    ["basic auth", { authorization: "Basic dXNlcjpwYXNz" }],
    ["bare Bearer", { authorization: "Bearer" }],
    ["empty bearer", { authorization: "Bearer " }],
    ["lower-case bearer", { authorization: `bearer ${key}` }],
    ["double space", { authorization: `Bearer  ${key}` }],
    ["key + suffix", { authorization: `Bearer ${key}x` }],
    ["truncated key", { authorization: `Bearer ${key.slice(0, 40)}` }],
    ["unknown key", { authorization: `Bearer ${bogus}` }],
    ["latin1 key", { authorization: "Bearer aw_sk_é" }],
    ["huge key", { authorization: "Bearer " + "a".repeat(16_000) }],
    ["proxy: wrong signature", wrongSig],
    ["proxy: other secret", otherSecret],
    ["proxy: wrong signature + valid bearer", { ...wrongSig, authorization: `Bearer ${key}` }],
    ["proxy: missing project header", { ...good, "x-project-id": "" }],
    ["proxy: project swapped", { ...good, "x-project-id": unknownUuid() }],
    ["proxy: actor swapped", { ...good, "x-aweb-actor-id": unknownUuid() }],
    ["proxy: bad actor uuid", { ...good, "x-aweb-actor-id": "not-a-uuid" }],
    ["proxy: v1 prefix", { ...good, "x-bh-auth": good["x-bh-auth"].replace(/^v2/, "v1") }],
    ["proxy: garbage", { "x-bh-auth": "v2:::::", "x-project-id": p, "x-aweb-actor-id": a }],
    ["proxy: empty", { "x-bh-auth": "", "x-project-id": p, "x-aweb-actor-id": a }],
  ];
}

/** Every single-defect case of one route. */
export function mustFailCases(route: Route, ex: Example, ctx: FuzzContext, rng: Rng): Case[] {
  const out: Case[] = [];
  const add = (label: string, parts: Parameters<typeof makeCase>[3]) => out.push(makeCase(route, ex, label, parts));
  const isMcp = route.key === "POST /mcp";

  // Authentication.
  if (!IGNORES_AUTH.has(route.key) && !isMcp) {
    for (const [label, headers] of authVariants(ctx, ex)) {
      if (label === "no auth" && NO_AUTH.has(route.key)) continue;
      add(`auth: ${label}`, { auth: headers });
    }
  }

  // Oversized body, refused before parsing (content-length larger than the limit).
  const tooBig = String(ctx.maxBodyBytes + rng.int(1, 10_000_000));
  add("oversized content-length", { headers: { "content-length": tooBig } });

  // Wrong methods on this path.
  const registered = ctx.methodsByPath.get(route.path) ?? new Set();
  for (const m of ["GET", "POST", "DELETE", "PUT", "PATCH"]) {
    if (!registered.has(m)) add(`method ${m}`, { method: m, ...(m === "GET" ? { body: undefined } : {}) });
  }

  // Path parameters.
  for (const name of route.pathParams) {
    for (const v of badPathValues(name)) add(`path ${name}=${JSON.stringify(v.slice(0, 40))}`, { pathParams: { [name]: v } });
  }

  // Query parameters.
  for (const name of route.queryParams) {
    for (const v of badQueryValues(route, name)) add(`query ${name}=${JSON.stringify(v.slice(0, 40))}`, { query: queryWith(route, name, v) });
  }

  if (route.stream) return withAnonymous(out, rng); // SSE routes: invalid parameters only

  // Body syntax.
  const takesJson = route.body !== null || isMcp;
  if (takesJson) {
    for (const text of MALFORMED_JSON) add(`malformed JSON ${JSON.stringify(text.slice(0, 30))}`, { raw: { text, contentType: "application/json" } });
    for (const v of [null, true, 0, -1, 1.5, "x", "", [], [1, 2], [{}]]) add(`non-object body ${JSON.stringify(v)}`, { body: v });
    add("deeply nested array body", { body: deepArray(rng.int(1000, 5000)) });
  }
  if (route.body !== null) {
    // Not /mcp: it reads its body as text whatever the content type says.
    add("JSON as text/plain", { raw: { text: JSON.stringify(ex.body ?? {}), contentType: "text/plain" } });
    add("multipart without boundary", { raw: { text: "--x\r\n\r\n", contentType: "multipart/form-data" } });
    add("multipart garbage", { raw: { text: "garbage", contentType: "multipart/form-data; boundary=zzz" } });
    add("urlencoded garbage", { raw: { text: "%%%&=&a", contentType: "application/x-www-form-urlencoded" } });
  }
  if (route.key === "POST /v1/beads/upload-jsonl") {
    const lines = ["{", "[1]", "42", '"str"', "null", JSON.stringify(deepArray(20)), '{"id":' + "[".repeat(50) + "]".repeat(50) + "}", "\u0000"];
    for (const l of lines) add(`jsonl line ${JSON.stringify(l.slice(0, 30))}`, { raw: { text: l + "\n", contentType: "text/plain" } });
    add("jsonl empty body", { raw: { text: "", contentType: "text/plain" } });
    add("jsonl as JSON number", { raw: { text: "42", contentType: "application/json" } });
  }
  if (route.body === null || ex.body === undefined) return withAnonymous(out, rng);

  // Body schema: one field broken at a time.
  for (const slot of slotsOf(route.body, ex.body)) {
    const at = pathText(slot.path);
    if (slot.types !== null) {
      for (const v of ANY_JSON) if (!accepts(slot.types, v)) add(`body ${at} wrong type ${JSON.stringify(v)}`, { body: setAt(ex.body, slot.path, v) });
      if (!slot.types.has("array") && !slot.types.has("object")) add(`body ${at} deep nesting`, { body: setAt(ex.body, slot.path, deepArray(rng.int(100, 3000))) });
    }
    const s = slot.schema.anyOf?.find((b: any) => b.type === "string") ?? (slot.schema.type === "string" ? slot.schema : null);
    if (s?.minLength >= 1) add(`body ${at} empty string`, { body: setAt(ex.body, slot.path, "") });
    if (s?.maxLength !== undefined && s.maxLength < 100_000) {
      add(`body ${at} one too long`, { body: setAt(ex.body, slot.path, "a".repeat(s.maxLength + 1)) });
      add(`body ${at} huge string`, { body: setAt(ex.body, slot.path, "a".repeat(100_000)) });
    }
    const arr = slot.schema.anyOf?.find((b: any) => b.type === "array") ?? (slot.schema.type === "array" ? slot.schema : null);
    if (arr?.minItems >= 1) add(`body ${at} empty array`, { body: setAt(ex.body, slot.path, []) });
  }
  for (const obj of objectsOf(route.body, ex.body)) {
    for (const name of obj.schema.required ?? []) {
      add(`body ${pathText([...obj.path, name])} missing`, { body: setAt(ex.body, [...obj.path, name], undefined, true) });
    }
    if (obj.schema.additionalProperties === false) {
      // Not "__proto__": Elysia's strict check lets that key through (harmless: no handler reads it).
      for (const extra of ["project_id", "unexpected", "constructor", "x\u0000y"]) {
        const text = JSON.stringify(obj.path.length === 0 ? ex.body : ex.body).replace(/^\{/, `{${JSON.stringify(extra)}:1,`);
        if (obj.path.length === 0) add(`body extra field ${JSON.stringify(extra)}`, { raw: { text, contentType: "application/json" } });
        else add(`body ${pathText(obj.path)} extra field ${JSON.stringify(extra)}`, { body: setAt(ex.body, [...obj.path, extra], 1) });
      }
    }
  }
  return withAnonymous(out, rng);
}

/** The same broken requests without credentials, for a seeded third of them (they must fail too). */
function withAnonymous(cases: Case[], rng: Rng): Case[] {
  const extra: Case[] = [];
  for (const c of cases) {
    if (c.label.startsWith("auth:") || !c.headers.authorization || !rng.chance(1 / 3)) continue;
    const headers = { ...c.headers };
    delete headers.authorization;
    extra.push({ ...c, label: `anonymous ${c.label}`, headers });
  }
  return [...cases, ...extra];
}
