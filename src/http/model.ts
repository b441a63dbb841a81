// Shapes shared by every feature's model.ts: ids, timestamps, the error body,
// the paginated envelope. Feature shapes are declared in their own model.ts.
import { t } from "elysia";
import type { Static, TObject, TSchema } from "@sinclair/typebox";

/** A canonical lower-case UUID. */
export const Uuid = t.String({ format: "uuid" });
/** An ISO-8601 timestamp with microseconds and offset, as the server writes them. */
export const Timestamp = t.String({ format: "date-time" });

/** Every error answers `{"detail": …}`: a string, or a list of pydantic-style items. */
export const ValidationItem = t.Object({
  type: t.String(),
  loc: t.Array(t.Union([t.String(), t.Number()])),
  msg: t.String(),
  input: t.Unknown(),
  ctx: t.Optional(t.Record(t.String(), t.Unknown())),
});
export const ErrorBody = t.Object({ detail: t.Union([t.String(), t.Array(ValidationItem), t.Unknown()]) });

/** `{<items>: [...], has_more, next_cursor}`: the keyset-paginated list envelope. */
export function Page<K extends string, T extends TSchema>(key: K, item: T) {
  return t.Object({
    ...({ [key]: t.Array(item) } as { [P in K]: ReturnType<typeof t.Array<T>> }),
    has_more: t.Boolean(),
    next_cursor: t.Nullable(t.String()),
  });
}

/**
 * The object a model describes, taken from a larger row: exactly the model's
 * keys, in its order (clients and tests see the reference's key order).
 */
export function shape<T extends TObject>(model: T, row: Record<string, unknown>): Static<T> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(model.properties)) out[key] = row[key];
  return out as Static<T>;
}
