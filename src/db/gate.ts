// A bound on the work handed to postgres.js: at most `limit` statements or
// transactions at once (limit = the pool size), the rest wait here in FIFO
// order.
//
// Why: once more statements are in flight than the pool has connections,
// postgres.js pipelines the extra ones onto busy connections and rotates those
// through a queue whose backing array never empties under sustained load. That
// array is scanned on every connection state change, so throughput falls
// steadily (porsager/postgres#747). In make bench, POST /v1/bdh/command at
// 50 connections over a pool of 10 ran its last 10 s of 60 at 0.50 of its
// first 10 s. With the gate a free connection is always there, nothing is
// pipelined, and that queue stays empty.
//
// What the gate covers:
// - Top-level statements hold a slot while they run.
// - A transaction holds one slot from BEGIN to COMMIT, and its own statements
//   run on its reserved connection without asking.
// - A statement issued on the pool from inside a transaction callback skips
//   the gate: it would otherwise queue behind every waiting statement while
//   the transaction holds its connection.
// - Fragments (queries interpolated into other queries) never run, so they
//   never take a slot.
// - Bulk work (syncs, uploads: `asBulk`) has its own bounded share: its
//   transactions first take a slot of a smaller bulk gate, so at most that many
//   connections ever hold bulk transactions and light requests always find one
//   (issue 19, defect 4; docs/decisions.md).
import { AsyncLocalStorage } from "node:async_hooks";

const bulkWork = new AsyncLocalStorage<true>();

/** Runs `fn` as bulk work: every transaction it opens waits for a slot of the bulk share first. */
export function asBulk<T>(fn: () => Promise<T>): Promise<T> {
  return bulkWork.run(true, fn);
}

/** Connections bulk work may hold at once: half the pool, at least one. */
export const bulkShareOf = (limit: number) => Math.max(1, Math.floor(limit / 2));

/** FIFO counting semaphore whose waiting list stays compact. */
export class Gate {
  private active = 0;
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(readonly limit: number) {}

  /** Runs `start` now if a slot is free, else when one is. */
  enter(start: () => void): void {
    if (this.active < this.limit) {
      this.active++;
      start();
      return;
    }
    this.waiting.push(start);
  }

  leave(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      this.waiting[this.head++] = undefined as unknown as () => void;
      if (this.head === this.waiting.length) {
        this.waiting = [];
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next(); // the slot passes straight to the next waiter
      return;
    }
    this.active--;
  }

  /** Slots in use and callers waiting (tests, diagnostics). */
  get stats(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length - this.head };
  }
}

// The parts of a postgres.js instance the gate replaces.
interface PoolLike {
  unsafe(...args: never[]): unknown;
  begin(...args: never[]): Promise<unknown>;
}
type Handler = (query: unknown) => void;
interface RunnableQuery {
  handler: Handler;
}

const isQuery = (x: unknown): x is RunnableQuery & PromiseLike<unknown> =>
  typeof x === "object" && x !== null && typeof (x as RunnableQuery).handler === "function" && "executed" in x;

/**
 * The same postgres.js instance behind a Gate of `limit` slots: the tagged
 * template, `unsafe` and `begin` are gated, everything else (array, json,
 * end, options, …) is postgres.js's own.
 */
export function gatePool<T extends PoolLike>(raw: T, limit: number, bulkLimit = bulkShareOf(limit)): T & { gate: Gate; bulkGate: Gate } {
  const gate = new Gate(limit);
  const bulkGate = new Gate(bulkLimit);
  const inTransaction = new AsyncLocalStorage<true>();

  const gated = <Q>(query: Q): Q => {
    if (!isQuery(query)) return query; // identifiers and builders are not statements
    const run = query.handler;
    query.handler = (q) => {
      if (inTransaction.getStore()) return run(q);
      gate.enter(() => {
        // Promise.prototype.then: Query#then would ask postgres.js to run the query again (a no-op, but not ours to call).
        Promise.prototype.then.call(query, () => gate.leave(), () => gate.leave());
        run(q);
      });
    };
    return query;
  };

  const sql = ((strings: TemplateStringsArray, ...args: unknown[]) =>
    gated((raw as unknown as (s: TemplateStringsArray, ...a: unknown[]) => unknown)(strings, ...args))) as unknown as T;
  for (const key of Object.getOwnPropertyNames(raw)) {
    if (key === "length" || key === "name" || key === "prototype") continue;
    Object.defineProperty(sql, key, Object.getOwnPropertyDescriptor(raw, key)!);
  }

  const unsafe = raw.unsafe.bind(raw) as (...args: unknown[]) => unknown;
  const begin = raw.begin.bind(raw) as (...args: unknown[]) => Promise<unknown>;
  Object.assign(sql, {
    gate,
    bulkGate,
    unsafe: (...args: unknown[]) => gated(unsafe(...args)),
    begin: (...args: unknown[]) => {
      const fn = args[args.length - 1] as (tx: unknown) => unknown;
      const head = args.slice(0, -1);
      const body = (tx: unknown) => inTransaction.run(true, () => fn(tx));
      if (inTransaction.getStore()) return begin(...head, body);
      const run = (done: () => void) =>
        new Promise((resolve, reject) => {
          gate.enter(() => {
            begin(...head, body)
              .then(resolve, reject)
              .finally(() => {
                gate.leave();
                done();
              });
          });
        });
      if (!bulkWork.getStore()) return run(() => {});
      return new Promise((resolve, reject) => {
        bulkGate.enter(() => {
          run(() => bulkGate.leave()).then(resolve, reject);
        });
      });
    },
  });
  return sql as T & { gate: Gate; bulkGate: Gate };
}
