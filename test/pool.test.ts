// The pool's gate (src/db/gate.ts): postgres.js never holds more statements or
// transactions than it has connections; the rest wait in FIFO order, and
// everything still completes with its own answer.
import { afterAll, describe, expect, test } from "bun:test";
import { Gate } from "../src/db/gate";
import { openSql } from "../src/db/pool";
import { createDatabaseFromTemplate, dropDatabase, urlFor } from "./support/db";

const database = await createDatabaseFromTemplate();
const sql = openSql(urlFor(database), { max: 2 });
const gate = (sql as unknown as { gate: Gate }).gate;
afterAll(async () => {
  await sql.end({ timeout: 5 });
  await dropDatabase(database);
});

describe("Gate", () => {
  test("runs at most `limit` at once, the rest in arrival order, each leave hands its slot on", () => {
    const g = new Gate(2);
    const started: number[] = [];
    for (let i = 0; i < 5; i++) g.enter(() => started.push(i));
    expect(started).toEqual([0, 1]);
    expect(g.stats).toEqual({ active: 2, waiting: 3 });
    g.leave();
    expect(started).toEqual([0, 1, 2]);
    g.leave();
    g.leave();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(g.stats).toEqual({ active: 2, waiting: 0 });
    g.leave();
    g.leave();
    expect(g.stats).toEqual({ active: 0, waiting: 0 });
  });

  test("a long run of waiters keeps its list compact", () => {
    const g = new Gate(1);
    let ran = 0;
    g.enter(() => ran++);
    for (let i = 0; i < 5000; i++) g.enter(() => ran++);
    for (let i = 0; i < 5000; i++) {
      g.leave();
      g.enter(() => ran++); // arrivals keep the queue from ever draining
    }
    expect(ran).toBe(5001);
    expect(g.stats.waiting).toBe(5000);
    expect((g as unknown as { waiting: unknown[] }).waiting.length).toBeLessThan(7000);
  });
});

describe("the gated pool", () => {
  test("300 statements and 40 transactions over 2 connections: never more than 2 at once, all answered", async () => {
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, gate.stats.active)), 1);
    const queries = Array.from({ length: 300 }, (_, i) =>
      sql<{ n: number }[]>`select ${i}::int as n, pg_sleep(0.0005)`.then((r) => r[0].n),
    );
    const transactions = Array.from({ length: 40 }, (_, i) =>
      sql.begin(async (tx) => {
        const [a] = await tx<{ n: number }[]>`select ${i}::int as n`;
        const [b] = await tx<{ n: number }[]>`select ${a.n + 1000}::int as n`;
        return b.n;
      }),
    );
    expect(await Promise.all(queries)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(await Promise.all(transactions)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1000));
    clearInterval(sample);
    expect(peak).toBe(2);
    expect(gate.stats).toEqual({ active: 0, waiting: 0 });
  });

  test("a pool statement inside a transaction callback runs while other statements wait for slots", async () => {
    // one slot held by the transaction, the other by a queue of statements
    const others = Promise.all(Array.from({ length: 20 }, () => sql`select pg_sleep(0.002)`)); // sent now
    const inner = sql.begin(async (tx) => {
      await tx`select pg_sleep(0.01)`;
      const [row] = await sql<{ n: number }[]>`select 7 as n`; // the pool, not tx
      const [again] = await tx<{ n: number }[]>`select ${row.n + 1}::int as n`;
      return again.n;
    });
    expect(await inner).toBe(8);
    await others;
    expect(gate.stats).toEqual({ active: 0, waiting: 0 });
  });

  test("failures and fragments give their slots back", async () => {
    await expect(sql`select * from no_such_table`).rejects.toThrow("no_such_table");
    await expect(sql.begin(async (tx) => tx`select 1/0`)).rejects.toThrow("division by zero");
    const fragment = sql`where n > ${1}`;
    const rows = await sql<{ n: number }[]>`select n from (values (1), (2), (3)) v(n) ${fragment} order by n`;
    expect(rows.map((r) => r.n)).toEqual([2, 3]);
    expect(gate.stats).toEqual({ active: 0, waiting: 0 });
  });
});
