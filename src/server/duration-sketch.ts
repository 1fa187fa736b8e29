// Values below 32 µs have a bucket each; above, each power of two is cut into 16 buckets (6% wide at most).
const SUB_BITS = 4;
const EXACT = 2 ** (SUB_BITS + 1);
const SUBS = 2 ** SUB_BITS;
const MAX_MICROS = 2 ** 31 - 1; // about 36 minutes
const BUCKETS = EXACT + (31 - (SUB_BITS + 1)) * SUBS;

function bucketOf(micros: number): number {
  if (micros < EXACT) return micros;
  const exponent = 31 - Math.clz32(micros);
  return EXACT + (exponent - SUB_BITS - 1) * SUBS + ((micros >>> (exponent - SUB_BITS)) - SUBS);
}

/** The highest value, in microseconds, a bucket holds. */
function upperBoundOf(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const exponent = SUB_BITS + 1 + Math.floor((bucket - EXACT) / SUBS);
  const top = SUBS + ((bucket - EXACT) % SUBS);
  return (top + 1) * 2 ** (exponent - SUB_BITS) - 1;
}

/**
 * Request durations over one summary interval: percentiles within 6% (a bucket's upper bound, never below
 * the true value) and the exact maximum, for a few kilobytes and a few integer operations per request. The
 * load generator's HDR histogram is exact to 0.1% but weighs half a megabyte and a module to load.
 */
export class DurationSketch {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  maxMs = 0;

  record(ms: number): void {
    const micros = Math.min(MAX_MICROS, Math.max(0, Math.round(ms * 1000)));
    this.counts[bucketOf(micros)]!++;
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The duration at or below which `quantile` (0 to 1) of the recordings lie, in milliseconds; 0 when empty. */
  quantileMs(quantile: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(quantile * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(this.maxMs, upperBoundOf(b) / 1000);
    }
    return this.maxMs;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxMs = 0;
  }
}
