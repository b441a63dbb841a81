// Walk a request-body JSON schema alongside a valid example body: every
// property (nested objects and the first array item included) becomes a slot
// that can be replaced, and each slot knows which JSON types it accepts.
import type { JsonSchema } from "./openapi";

export type JsonType = "null" | "boolean" | "integer" | "number" | "string" | "array" | "object";

export interface Slot {
  path: (string | number)[];
  schema: JsonSchema;
  /** null = anything goes (an empty schema, t.Unknown). */
  types: Set<JsonType> | null;
}

export function typesOf(schema: JsonSchema): Set<JsonType> | null {
  if (schema.anyOf || schema.oneOf) {
    const out = new Set<JsonType>();
    for (const branch of schema.anyOf ?? schema.oneOf) {
      const t = typesOf(branch);
      if (t === null) return null;
      for (const x of t) out.add(x);
    }
    return out;
  }
  const t = schema.type;
  if (typeof t !== "string") return null;
  const out = new Set<JsonType>([t as JsonType]);
  if (t === "number") out.add("integer");
  if (schema.nullable) out.add("null");
  return out;
}

export function jsonTypeOf(v: unknown): JsonType {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v as JsonType;
}

/** Does a value of this JSON type satisfy the slot's declared types? */
export function accepts(types: Set<JsonType> | null, v: unknown): boolean {
  if (types === null) return true;
  const jt = jsonTypeOf(v);
  return types.has(jt) || (jt === "integer" && types.has("number"));
}

export function slotsOf(schema: JsonSchema, example: unknown, path: (string | number)[] = []): Slot[] {
  const out: Slot[] = [];
  const objectSchema = schema.anyOf?.find((b: JsonSchema) => b.type === "object") ?? (schema.type === "object" ? schema : null);
  const arraySchema = schema.anyOf?.find((b: JsonSchema) => b.type === "array") ?? (schema.type === "array" ? schema : null);
  if (objectSchema?.properties) {
    const ex = (example && typeof example === "object" ? example : {}) as Record<string, unknown>;
    for (const [name, child] of Object.entries(objectSchema.properties as Record<string, JsonSchema>)) {
      out.push({ path: [...path, name], schema: child, types: typesOf(child) });
      if (name in ex) out.push(...slotsOf(child, ex[name], [...path, name]));
    }
  } else if (arraySchema?.items && Array.isArray(example) && example.length > 0) {
    out.push({ path: [...path, 0], schema: arraySchema.items, types: typesOf(arraySchema.items) });
    out.push(...slotsOf(arraySchema.items, example[0], [...path, 0]));
  }
  return out;
}

/** Object schemas (with their path) that declare required properties or forbid extras. */
export function objectsOf(schema: JsonSchema, example: unknown, path: (string | number)[] = []): { path: (string | number)[]; schema: JsonSchema }[] {
  const out: { path: (string | number)[]; schema: JsonSchema }[] = [];
  if (schema.type === "object" && example && typeof example === "object" && !Array.isArray(example)) {
    out.push({ path, schema });
    for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
      const v = (example as Record<string, unknown>)[name];
      if (v !== undefined) out.push(...objectsOf(child.anyOf?.find((b: JsonSchema) => b.type === "object") ?? child, v, [...path, name]));
    }
  } else if (schema.type === "array" && schema.items && Array.isArray(example) && example.length > 0) {
    out.push(...objectsOf(schema.items, example[0], [...path, 0]));
  }
  return out;
}

/** A deep copy of `root` with the value at `path` replaced (or removed when `remove`). */
export function setAt(root: unknown, path: (string | number)[], value: unknown, remove = false): unknown {
  if (path.length === 0) return value;
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) };
  const [head, ...rest] = path;
  if (rest.length === 0) {
    if (remove) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  copy[head] = setAt(copy[head] ?? (typeof rest[0] === "number" ? [] : {}), rest, value, remove);
  return copy;
}

export const pathText = (p: (string | number)[]) => p.join(".") || "(root)";
