// Postgres timestamptz text → the API's ISO-8601 form (src/db/pool.ts): six
// fraction digits when there is a fraction, "+00:00", and the general path
// for shapes the fast path does not take.
import { afterAll, expect, test } from "bun:test";
import { pgTimestampToIso } from "../src/db/pool";
import { startTestApp } from "./support/harness";

test.each([
  ["2026-02-07 11:39:32.123456+00", "2026-02-07T11:39:32.123456+00:00"],
  ["2026-02-07 11:39:32.16+00", "2026-02-07T11:39:32.160000+00:00"],
  ["2026-02-07 11:39:32.1+00", "2026-02-07T11:39:32.100000+00:00"],
  ["2026-02-07 11:39:32+00", "2026-02-07T11:39:32+00:00"],
  ["2026-02-07 11:39:32.5+05:30", "2026-02-07T11:39:32.500000+05:30"],
  ["12026-02-07 11:39:32.25+00", "12026-02-07T11:39:32.250000+00:00"],
  ["0044-03-15 12:00:00+00 BC", "0044-03-15T12:00:00+00 BC"],
])("%s → %s", (pg, iso) => {
  expect(pgTimestampToIso(pg)).toBe(iso);
});

const t = await startTestApp();
afterAll(() => t.close());

test("values read through the pool come back in the same form", async () => {
  const [row] = await t.sql`
    select '2026-02-07 11:39:32.16+00'::timestamptz as a,
           '2026-02-07 11:39:32+00'::timestamptz as b,
           '2026-02-07 11:39:32.000001+00'::timestamptz as c`;
  expect(row).toEqual({ a: "2026-02-07T11:39:32.160000+00:00", b: "2026-02-07T11:39:32+00:00", c: "2026-02-07T11:39:32.000001+00:00" });
});
