/**
 * Prometheus metrics in the text exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/),
 * one registry per server: counters and histograms with labels, plus gauges read at scrape time.
 */

type Labels = Record<string, string>;

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  const escapeValue = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  return `{${entries.map(([k, v]) => `${k}="${escapeValue(v)}"`).join(",")}}`;
}

class Counter {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  readonly name: string;
  readonly help: string;

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const entry = this.#values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.#values.set(key, entry);
  }

  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} counter`,
      ...[...this.#values.values()].map((e) => `${this.name}${labelText(e.labels)} ${e.value}`),
    ];
  }
}

class Histogram {
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  readonly name: string;
  readonly help: string;
  readonly buckets: number[];

  constructor(name: string, help: string, buckets: number[] = DEFAULT_BUCKETS) {
    this.name = name;
    this.help = help;
    this.buckets = buckets;
  }

  observe(seconds: number, labels: Labels = {}): void {
    const key = labelText(labels);
    const entry = this.#series.get(key) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    for (const [i, bound] of this.buckets.entries()) if (seconds <= bound) entry.counts[i]! += 1;
    entry.sum += seconds;
    entry.count += 1;
    this.#series.set(key, entry);
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const e of this.#series.values()) {
      for (const [i, bound] of this.buckets.entries())
        lines.push(`${this.name}_bucket${labelText({ ...e.labels, le: String(bound) })} ${e.counts[i]}`);
      lines.push(`${this.name}_bucket${labelText({ ...e.labels, le: "+Inf" })} ${e.count}`);
      lines.push(`${this.name}_sum${labelText(e.labels)} ${e.sum}`);
      lines.push(`${this.name}_count${labelText(e.labels)} ${e.count}`);
    }
    return lines;
  }
}

export class Metrics {
  readonly eventsReceived = new Counter(
    "cordon_events_received_total",
    "Inbound events by source and result",
  );
  readonly requestsRejected = new Counter(
    "cordon_requests_rejected_total",
    "Inbound requests refused, by reason",
  );
  readonly vendorRateLimited = new Counter(
    "cordon_vendor_rate_limited_total",
    "HTTP 429 answers from vendors",
  );
  readonly vendorRequests = new Counter(
    "cordon_vendor_requests_total",
    "Requests sent to vendors, by rate-limit bucket and that bucket's documented limit per window",
  );
  readonly stepSeconds = new Histogram(
    "cordon_step_duration_seconds",
    "Playbook step duration by kind and result",
  );
  readonly timeToContainment = new Histogram(
    "cordon_time_to_containment_seconds",
    "From an event's arrival to its playbook's first containment call",
  );

  /** Renders the registry plus gauges read now (runs by state). */
  render(
    gauges: Array<{ name: string; help: string; values: Array<{ labels: Labels; value: number }> }>,
  ): string {
    const lines = [
      ...this.eventsReceived.render(),
      ...this.requestsRejected.render(),
      ...this.vendorRateLimited.render(),
      ...this.vendorRequests.render(),
      ...this.stepSeconds.render(),
      ...this.timeToContainment.render(),
    ];
    for (const gauge of gauges) {
      lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
      for (const v of gauge.values) lines.push(`${gauge.name}${labelText(v.labels)} ${v.value}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
