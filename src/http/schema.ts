// Request schemas are lenient unless they say otherwise. Elysia gives every
// object schema without an explicit `additionalProperties` the value false,
// which (with normalize off) turns any unknown body key or query parameter into
// a 422 — but the protocol ignores extra fields everywhere except the few
// strict routes that declare `{ additionalProperties: false }`
// (docs/protocol/conventions.md#bodies). Called once after all routes are mounted, before the
// first request compiles the validators.
import type { AnyElysia } from "elysia";

type Schema = Record<string, unknown> & { type?: unknown; properties?: Record<string, Schema>; items?: Schema };

function loosen(schema: unknown, seen: Set<unknown>): void {
  if (!schema || typeof schema !== "object" || seen.has(schema)) return;
  seen.add(schema);
  const s = schema as Schema;
  if (s.type === "object" && !("additionalProperties" in s)) s.additionalProperties = true;
  for (const child of Object.values(s.properties ?? {})) loosen(child, seen);
  loosen(s.items, seen);
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    for (const child of (s[key] as unknown[] | undefined) ?? []) loosen(child, seen);
  }
}

export function makeSchemasLenient(app: AnyElysia): void {
  const seen = new Set<unknown>();
  for (const route of app.router.history as { hooks?: Record<string, unknown> }[]) {
    for (const part of ["body", "query", "params", "headers"]) loosen(route.hooks?.[part], seen);
  }
}
