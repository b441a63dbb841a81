// A small Prometheus registry: counters and histograms with labels, gauges read
// at scrape time, rendered in the text exposition format (version 0.0.4). Our
// own ~150 lines instead of prom-client: we need four metric kinds and no
// push, cluster or default-collector machinery (docs/decisions.md, issue 17).
//
// Labels are only ever route templates, methods, statuses and fixed kinds:
// never a project, agent, alias or key (docs/protocol/metrics.md).

type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const keys = Object.keys(labels);
  return keys.length === 0 ? "" : `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(",")}}`;
};
/**
 * The series key: names and values joined with separators no label holds.
 * Every request records two series, so the key avoids labelText's escaping
 * (six regex passes per request); text is built only when scraped.
 */
const keyOf = (labels: Labels) => {
  let key = "";
  for (const name in labels) key += `${name}\u0001${labels[name]}\u0002`;
  return key;
};
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN");

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels, value: by });
  }

  get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${num(value)}`);
    return lines.join("\n");
  }
}

/** A gauge whose value(s) are read when scraped. */
export class Gauge implements Metric {
  private read: () => { labels?: Labels; value: number }[] | number = () => 0;
  constructor(readonly name: string, readonly help: string) {}

  collect(read: () => { labels?: Labels; value: number }[] | number): this {
    this.read = read;
    return this;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    const got = this.read();
    const samples = typeof got === "number" ? [{ value: got }] : got;
    for (const s of samples) lines.push(`${this.name}${labelText(s.labels ?? {})} ${num(s.value)}`);
    return lines.join("\n");
  }
}

export class Histogram implements Metric {
  private series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {}

  observe(labels: Labels, value: number): void {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    // Buckets are cumulative when rendered; here each observation lands in its first bucket.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i];
        lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: num(b) })} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${num(s.sum)}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join("\n");
  }
}

export class Registry {
  private metrics: Metric[] = [];

  add<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  render(): string {
    return this.metrics.map((m) => m.render()).join("\n") + "\n";
  }
}
