// GET /metrics (issue 17): Prometheus text with route templates (never raw
// paths), latency histograms, pool, SSE, outbox, rate-limit, memory and
// event-loop figures, and no tenant data; BEADHUB_METRICS=off removes it.
import { afterAll, describe, expect, test } from "bun:test";
import { openEventStream } from "../src/http/sse";
import { silentLogger } from "../src/log";
import { countRateLimitRefusal, sseStreams } from "../src/metrics/process";
import { initAgent, startTestApp } from "./support/harness";

const t = await startTestApp();
afterAll(() => t.close());

/** The value of one sample line, e.g. sample(text, 'beadhub_x{a="b"}'). */
function sample(text: string, series: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe("GET /metrics", () => {
  test("counts requests by route template, method and status, with latency histograms", async () => {
    const agent = await initAgent(t, { project_slug: "metrics-secret-slug", alias: "metrics-alias" });
    const unknownId = crypto.randomUUID();
    const esc = await t.request("GET", `/v1/escalations/${unknownId}`, { token: agent.api_key });
    expect(esc.status).toBe(404);
    const missing = await t.request("GET", "/v1/no-such-route/abc");
    expect(missing.status).toBe(404);

    const res = await t.request("GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text: string = res.text;
    expect(text).toContain("# TYPE beadhub_http_requests_total counter");
    expect(sample(text, 'beadhub_http_requests_total{method="POST",route="/v1/init",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'beadhub_http_requests_total{method="GET",route="/v1/escalations/:escalation_id",status="404"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'beadhub_http_requests_total{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain("# TYPE beadhub_http_request_duration_seconds histogram");
    const count = sample(text, 'beadhub_http_request_duration_seconds_count{method="POST",route="/v1/init"}')!;
    expect(count).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'beadhub_http_request_duration_seconds_bucket{method="POST",route="/v1/init",le="+Inf"}')).toBe(count);

    // No tenant data anywhere: no ids, slugs, aliases or keys.
    for (const secret of [unknownId, agent.project_id, agent.project_slug, agent.agent_id, agent.workspace_id!, agent.alias, agent.api_key]) {
      expect(text).not.toContain(secret);
    }
  });

  test("reports pool, SSE, outbox, rate-limit, memory and event-loop figures", async () => {
    countRateLimitRefusal("init");
    const text = (await t.request("GET", "/metrics")).text;
    // The gate's slots: BEADHUB_DB_POOL_SIZE, or 1 on the embedded database.
    expect(sample(text, "beadhub_db_pool_size")).toBe((t.sql as unknown as { gate: { limit: number } }).gate.limit);
    expect(sample(text, "beadhub_db_pool_in_use")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "beadhub_db_pool_waiting")).toBe(0);
    expect(sample(text, "beadhub_sse_streams_open")).toBe(sseStreams.open);
    expect(sample(text, 'beadhub_outbox_backlog{status="pending"}')).toBe(0);
    expect(sample(text, "beadhub_outbox_oldest_age_seconds")).toBe(0);
    expect(sample(text, 'beadhub_rate_limit_refusals_total{limit="init"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
    expect(sample(text, "beadhub_event_loop_lag_seconds")).toBeGreaterThanOrEqual(0);
  });

  test("an undelivered outbox row shows as backlog with its age", async () => {
    const agent = await initAgent(t, { project_slug: "metrics-outbox" });
    await t.sql`
      insert into server.notification_outbox (project_id, payload, recipient_workspace_id, recipient_alias, created_at)
      values (${agent.project_id}, '{}'::jsonb, ${agent.workspace_id}, ${agent.alias}, now() - interval '90 seconds')`;
    const text = (await t.request("GET", "/metrics")).text;
    expect(sample(text, 'beadhub_outbox_backlog{status="pending"}')).toBe(1);
    expect(sample(text, "beadhub_outbox_oldest_age_seconds")).toBeGreaterThanOrEqual(90);
    await t.sql`delete from server.notification_outbox where project_id = ${agent.project_id}`;
  });

  test("open SSE streams are counted until they end", async () => {
    const before = sseStreams.open;
    const request = new AbortController();
    const response = openEventStream({
      name: "metrics-test",
      log: silentLogger,
      requestSignal: request.signal,
      shutdownSignal: new AbortController().signal,
      keepaliveMs: 0,
      start: (stream) => new Promise<void>((resolve) => stream.signal.addEventListener("abort", () => resolve())),
    });
    expect(response.status).toBe(200);
    expect(sseStreams.open).toBe(before + 1);
    expect(sample((await t.request("GET", "/metrics")).text, "beadhub_sse_streams_open")).toBe(before + 1);
    request.abort();
    expect(sseStreams.open).toBe(before);
  });
});

test("a refused init counts as a rate-limit refusal", async () => {
  const limited = await startTestApp({ config: { initRateLimit: 1 } });
  try {
    const body = { project_slug: "metrics-limit", human_name: "L" };
    const before = sample((await limited.request("GET", "/metrics")).text, 'beadhub_rate_limit_refusals_total{limit="init"}') ?? 0;
    expect((await limited.request("POST", "/v1/init", { body })).status).toBe(200);
    const refused = await limited.request("POST", "/v1/init", { body });
    expect(refused.status).toBe(429);
    const after = sample((await limited.request("GET", "/metrics")).text, 'beadhub_rate_limit_refusals_total{limit="init"}');
    expect(after).toBe(before + 1);
  } finally {
    await limited.close();
  }
});

test("BEADHUB_METRICS=off removes the route", async () => {
  const off = await startTestApp({ config: { metrics: false } });
  try {
    const res = await off.request("GET", "/metrics");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: "Not Found" });
  } finally {
    await off.close();
  }
});
