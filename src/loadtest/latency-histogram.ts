import * as hdr from 'hdr-histogram-js';

/** Latency percentiles every report shows. */
export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/**
 * An HDR histogram of latencies: records milliseconds at microsecond resolution with 3 significant digits
 * (0.1% relative error) in constant memory, whatever the count, and merges across time buckets.
 */
export class LatencyHistogram {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000, // 60 s in microseconds; grows past it if a request takes longer
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });

  record(ms: number): void {
    // 0 would fall outside the discernible range; a sub-microsecond latency is 1 µs for our purposes.
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  get maxMs(): number {
    return this.histogram.maxValue / 1000;
  }

  /** The value at or below which `percentile` % of the recordings lie (HDR: the bucket's highest equivalent value). */
  percentileMs(percentile: number): number {
    return this.histogram.totalCount === 0 ? 0 : this.histogram.getValueAtPercentile(percentile) / 1000;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
    return {
      count: h.totalCount,
      minMs: h.minNonZeroValue / 1000,
      meanMs: h.mean / 1000,
      p50Ms: this.percentileMs(50),
      p90Ms: this.percentileMs(90),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      maxMs: this.maxMs,
    };
  }

  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  reset(): void {
    this.histogram.reset();
  }
}
