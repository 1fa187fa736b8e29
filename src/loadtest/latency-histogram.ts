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

// The bucketing hdr-histogram-js uses for 3 significant digits from 1 µs: bucket b holds values of
// 2^(b+10) .. 2^(b+11) - 1 (bucket 0: 0 .. 2047) in sub-buckets 2^b wide, so a value v lands in
// b = max(0, floor(log2 v) - 10), sub-bucket floor(v / 2^b).
const subBucketHalfCountMagnitude = 10;
const subBucketCount = 2048;
/** Values below 2^31 µs (about 36 minutes) take the fast path; the rare longer one goes straight to hdr. */
const fastBuckets = 31 - subBucketHalfCountMagnitude;

/**
 * An HDR histogram of latencies: records milliseconds at microsecond resolution with 3 significant digits
 * (0.1% relative error) in constant memory, whatever the count, and merges across time buckets.
 *
 * Recording is on the generator's hot path (twice per request), so it counts into a preallocated array with
 * hdr's own bucketing, computed with integer operations (hdr's record path takes a log2, a power and a
 * division), and hands the counts to the hdr histogram, which answers every query, before any is answered.
 */
export class LatencyHistogram {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000, // 60 s in microseconds; grows past it if a request takes longer
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });

  /** Counts recorded since the last flush, at index b * 2048 + sub-bucket; the lowest and highest index used. */
  private readonly pending = new Float64Array(fastBuckets * subBucketCount);
  private pendingLow = Number.MAX_SAFE_INTEGER;
  private pendingHigh = -1;
  /** Sum of the recorded values in microseconds, for an exact mean (hdr's walks every bucket, slowly). */
  private sumMicros = 0;

  record(ms: number): void {
    // 0 would fall outside the discernible range; a sub-microsecond latency is 1 µs for our purposes.
    const micros = Math.max(1, Math.round(ms * 1000));
    this.sumMicros += micros;
    if (micros >= 2 ** 31) {
      this.histogram.recordValue(micros);
      return;
    }
    const bucket = Math.max(0, 31 - Math.clz32(micros) - subBucketHalfCountMagnitude);
    const index = bucket * subBucketCount + (micros >>> bucket);
    this.pending[index]!++;
    if (index < this.pendingLow) this.pendingLow = index;
    if (index > this.pendingHigh) this.pendingHigh = index;
  }

  /** Moves the pending counts into the hdr histogram: each as the lowest value of its sub-bucket, which hdr files in the same one. */
  private flush(): hdr.Histogram {
    for (let index = this.pendingLow; index <= this.pendingHigh; index++) {
      const count = this.pending[index]!;
      if (count === 0) continue;
      const bucket = Math.floor(index / subBucketCount);
      this.histogram.recordValueWithCount((index % subBucketCount) * 2 ** bucket, count);
      this.pending[index] = 0;
    }
    this.pendingLow = Number.MAX_SAFE_INTEGER;
    this.pendingHigh = -1;
    return this.histogram;
  }

  get count(): number {
    return this.flush().totalCount;
  }

  get maxMs(): number {
    return this.flush().maxValue / 1000;
  }

  /** The value at or below which `percentile` % of the recordings lie (HDR: the bucket's highest equivalent value). */
  percentileMs(percentile: number): number {
    const h = this.flush();
    return h.totalCount === 0 ? 0 : h.getValueAtPercentile(percentile) / 1000;
  }

  summary(): LatencySummary {
    const h = this.flush();
    if (h.totalCount === 0) return { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
    return {
      count: h.totalCount,
      minMs: h.minNonZeroValue / 1000,
      meanMs: this.sumMicros / h.totalCount / 1000,
      p50Ms: this.percentileMs(50),
      p90Ms: this.percentileMs(90),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      maxMs: this.maxMs,
    };
  }

  add(other: LatencyHistogram): void {
    this.flush().add(other.flush());
    this.sumMicros += other.sumMicros;
  }

  reset(): void {
    if (this.pendingHigh >= 0) this.pending.fill(0, this.pendingLow, this.pendingHigh + 1);
    this.pendingLow = Number.MAX_SAFE_INTEGER;
    this.pendingHigh = -1;
    this.histogram.reset();
    this.sumMicros = 0;
  }
}
