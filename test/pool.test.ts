// The pool's in-flight bound (src/db/pool.ts PIPELINE): one pipelined query per
// connection, everything else queued in postgres.js. Many more queries and
// transactions than connections must all complete, in their own order.
import { afterAll, expect, test } from "bun:test";
import { openSql } from "../src/db/pool";
import { createDatabaseFromTemplate, dropDatabase, urlFor } from "./support/db";

const database = await createDatabaseFromTemplate();
const sql = openSql(urlFor(database), { max: 2 });
afterAll(async () => {
  await sql.end({ timeout: 5 });
  await dropDatabase(database);
});

test("the pool pipelines at most one query per connection", () => {
  expect((sql.options as unknown as { max_pipeline: number }).max_pipeline).toBe(1);
});

test("300 queries and 20 transactions over 2 connections all finish with their own answers", async () => {
  const queries = Array.from({ length: 300 }, (_, i) => sql<{ n: number }[]>`select ${i}::int as n, pg_sleep(0.0005)`.then((r) => r[0].n));
  const transactions = Array.from({ length: 20 }, (_, i) =>
    sql.begin(async (tx) => {
      const [a] = await tx<{ n: number }[]>`select ${i}::int as n`;
      const [b] = await tx<{ n: number }[]>`select ${a.n + 1000}::int as n`;
      return b.n;
    }),
  );
  expect(await Promise.all(queries)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  expect(await Promise.all(transactions)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1000));
});
