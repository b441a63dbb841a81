// Select lists driven by the response models: a query selects exactly the
// properties its model declares, in the model's order, so adding a stored field
// to a feature is the migration, the model and a test — never a hand-written
// column list that can fall out of step (docs/architecture.md#adding-a-field).
import type { TObject } from "@sinclair/typebox";
import type postgres from "postgres";
import type { Db } from "./pool";

export type Fragment = postgres.PendingQuery<postgres.Row[]>;

/**
 * `<table>.<key>` for every property of `model`, or `<expression> as <key>`
 * where `computed` names one (renamed columns, derived values, joins).
 */
export function selectList(db: Db, model: TObject, table: string, computed: Record<string, Fragment> = {}): Fragment[] {
  const keys = Object.keys(model.properties);
  return keys.map((key, i) => {
    const separator = i < keys.length - 1 ? db`,` : db``;
    const expression = computed[key];
    return expression === undefined
      ? db`${db(`${table}.${key}`)}${separator}`
      : db`${expression} as ${db(key)}${separator}`;
  });
}
