// Load generator, run as its own process so it does not share an event loop
// with the server under test: `bun bench/load.ts '<json spec>'` prints one JSON
// result line. Closed loop: `connections` workers each send the next request as
// soon as the previous answer arrived (keep-alive).
export interface LoadSpec {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Per-worker variants (worker i uses variants[i % n]): e.g. one agent per connection. */
  variants?: { headers?: Record<string, string>; body?: string }[];
  connections: number;
  seconds: number;
  warmupSeconds?: number;
}

export interface LoadResult {
  requests: number;
  /** Every completed request, warm-up included (to divide server CPU by). */
  total_requests: number;
  errors: number;
  statuses: Record<string, number>;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Completed requests per second, second by second (after warm-up). */
  per_second: number[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const warm = (spec.warmupSeconds ?? 1) * 1000;
  const start = performance.now();
  const measureFrom = start + warm;
  const end = measureFrom + spec.seconds * 1000;
  const latencies: number[] = [];
  const perSecond = new Array(Math.ceil(spec.seconds)).fill(0);
  const statuses: Record<string, number> = {};
  let errors = 0;
  let total = 0;
  const method = spec.method ?? "GET";
  const inits: RequestInit[] = (spec.variants ?? [{}]).map((v) => ({
    method,
    headers: { ...spec.headers, ...v.headers },
    body: v.body ?? spec.body,
  }));

  async function worker(index: number) {
    const init = inits[index % inits.length];
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      let status = 0;
      try {
        const res = await fetch(spec.url, init);
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = -1;
      }
      const t1 = performance.now();
      total++;
      if (t0 < measureFrom) continue;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status < 200 || status >= 300) errors++;
      latencies.push(t1 - t0);
      const bucket = Math.floor((t1 - measureFrom) / 1000);
      if (bucket < perSecond.length) perSecond[bucket]++;
    }
  }
  await Promise.all(Array.from({ length: spec.connections }, (_, i) => worker(i)));
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    total_requests: total,
    errors,
    statuses,
    rps: latencies.length / spec.seconds,
    p50_ms: Math.round(percentile(latencies, 50) * 100) / 100,
    p99_ms: Math.round(percentile(latencies, 99) * 100) / 100,
    per_second: perSecond,
  };
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2]) as LoadSpec;
  console.log(JSON.stringify(await runLoad(spec)));
}
