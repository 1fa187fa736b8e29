/**
 * Prometheus metric families whose series are bound once and updated with plain arithmetic: no label
 * hashing, no validation, no allocation per observation. prom-client's own metrics hash their labels on
 * every update (microseconds at tens of thousands of requests per second); these are registered in the same
 * registry (prom-client reads any object with name, help, type and get()) and rendered by it when scraped.
 */

type LabelValues = Readonly<Record<string, string>>;

interface MetricValue {
  value: number;
  labels: LabelValues;
  metricName?: string;
}

/** The shape prom-client's Registry renders. */
export interface CollectableMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }>;
}

const seriesKey = (labels: LabelValues): string => Object.keys(labels).sort().map((k) => `${k}\u0000${labels[k]}`).join('\u0001');

abstract class Family<S> implements CollectableMetric {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator = 'sum' as const;
  protected readonly all = new Map<string, { labels: LabelValues; series: S }>();

  /** `collect`, when given, runs before each scrape (a family derived from another refreshes itself). */
  constructor(readonly name: string, readonly help: string, private readonly collect?: () => void) {}

  /** The series for these label values, created on first use; keep it and update it directly on hot paths. */
  series(labels: LabelValues = {}): S {
    const key = seriesKey(labels);
    let entry = this.all.get(key);
    if (entry === undefined) {
      entry = { labels: { ...labels }, series: this.create() };
      this.all.set(key, entry);
    }
    return entry.series;
  }

  /** Drops every series (a gauge that names the current model forgets the previous one). */
  clear(): void {
    this.all.clear();
  }

  protected abstract create(): S;
  protected abstract values(labels: LabelValues, series: S): MetricValue[];

  async get() {
    this.collect?.();
    const values: MetricValue[] = [];
    for (const { labels, series } of this.all.values()) values.push(...this.values(labels, series));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** A counter series: add to `value`. */
export interface CounterSeries { value: number }

export class CounterFamily extends Family<CounterSeries> {
  readonly type = 'counter' as const;
  protected create(): CounterSeries { return { value: 0 }; }
  protected values(labels: LabelValues, series: CounterSeries): MetricValue[] { return [{ value: series.value, labels }]; }
}

/** A gauge whose series are read when scraped. */
export class GaugeFamily extends Family<{ read: () => number }> {
  readonly type = 'gauge' as const;
  protected create() { return { read: () => 0 }; }
  /** Sets how the series with these labels is read at scrape time. */
  reads(labels: LabelValues, read: () => number): void {
    this.series(labels).read = read;
  }
  protected values(labels: LabelValues, series: { read: () => number }): MetricValue[] { return [{ value: series.read(), labels }]; }
}

/** One histogram series: `observe` costs a short linear scan of the bucket bounds. */
export class HistogramSeries {
  /** Non-cumulative counts per bucket; the last is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: Float64Array) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let b = 0;
    while (b < bounds.length && value > bounds[b]!) b++;
    this.counts[b]!++;
    this.sum += value;
    this.count++;
  }
}

export class HistogramFamily extends Family<HistogramSeries> {
  readonly type = 'histogram' as const;
  private readonly bounds: Float64Array;

  constructor(name: string, help: string, buckets: readonly number[]) {
    super(name, help);
    this.bounds = Float64Array.from([...buckets].sort((a, b) => a - b));
  }

  protected create(): HistogramSeries { return new HistogramSeries(this.bounds); }

  protected values(labels: LabelValues, series: HistogramSeries): MetricValue[] {
    const values: MetricValue[] = [];
    let cumulative = 0;
    for (let b = 0; b <= this.bounds.length; b++) {
      cumulative += series.counts[b]!;
      const le = b < this.bounds.length ? String(this.bounds[b]) : '+Inf';
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: cumulative });
    }
    values.push({ metricName: `${this.name}_sum`, labels, value: series.sum });
    values.push({ metricName: `${this.name}_count`, labels, value: series.count });
    return values;
  }

  /** Every series with its labels (http_requests_total is derived from the request histogram's counts). */
  entries(): IterableIterator<{ labels: LabelValues; series: HistogramSeries }> {
    return this.all.values();
  }
}
