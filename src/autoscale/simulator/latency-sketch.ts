/**
 * Latency distributions as weighted points. A group of requests whose latency follows the calibrated p50/p99 is
 * spread over fixed quantiles of a log-normal through those two percentiles (latency tails are long and positive);
 * a queueing wait shifts the whole group. Mixing groups is then adding points, cheap enough for a four-hour run.
 */

/** Acklam's rational approximation of the standard normal quantile (relative error below 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Strata of probability, finer in the tail where p99 is read. */
const strataEdges = [0, 0.1, 0.3, 0.5, 0.7, 0.85, 0.93, 0.97, 0.985, 0.993, 0.997, 0.999, 1];
// The open ends stop at the 0.05th and 99.95th percentiles: enough for p99, and finite.
const edgeZ = (p: number) => normalQuantile(Math.min(0.9995, Math.max(0.0005, p)));
const strata = strataEdges.slice(1).map((upper, i) => {
  const lower = strataEdges[i]!;
  return { weight: upper - lower, z: normalQuantile((lower + upper) / 2), zLow: edgeZ(lower), zHigh: edgeZ(upper) };
});
const z99 = normalQuantile(0.99);

/** A share of requests: its representative latency and the latency range it stands for. */
export interface WeightedPoint {
  value: number;
  weight: number;
  low: number;
  high: number;
}

/** Adds the points of `count` requests with base percentiles p50/p99 (ms) shifted by `waitMs`. */
export function addLatencyGroup(points: WeightedPoint[], count: number, p50Ms: number, p99Ms: number, waitMs: number): void {
  if (count <= 0) return;
  const median = Math.max(p50Ms, 1e-3);
  const sigma = Math.max(0, Math.log(Math.max(p99Ms, median) / median) / z99);
  for (const stratum of strata) {
    points.push({
      value: median * Math.exp(sigma * stratum.z) + waitMs,
      weight: count * stratum.weight,
      low: median * Math.exp(sigma * stratum.zLow) + waitMs,
      high: median * Math.exp(sigma * stratum.zHigh) + waitMs,
    });
  }
}

/**
 * The q-quantile of weighted points, each standing at the middle of its share of the total weight (Hazen
 * positions), interpolated between neighbours. Sorts `points` in place; null when there is no weight.
 */
export function weightedQuantile(points: WeightedPoint[], q: number): number | null {
  let total = 0;
  for (const p of points) total += p.weight;
  if (total <= 0) return null;
  points.sort((a, b) => a.value - b.value);
  const target = q * total;
  let cumulative = 0;
  let previous: { position: number; value: number } | null = null;
  for (const p of points) {
    const position = cumulative + p.weight / 2;
    if (position >= target) {
      if (previous === null) return p.value;
      const f = (target - previous.position) / (position - previous.position);
      return previous.value + f * (p.value - previous.value);
    }
    previous = { position, value: p.value };
    cumulative += p.weight;
  }
  return points[points.length - 1]!.value;
}

/** A log-binned histogram for percentiles over a whole run (about 2% resolution from 1 us to 1,000 s). */
export class LatencyHistogram {
  private static readonly binsPerDecade = 120;
  private static readonly minMs = 1e-3;
  private readonly bins = new Float64Array(9 * LatencyHistogram.binsPerDecade + 1);
  private total = 0;

  private position(ms: number): number {
    return Math.min(this.bins.length - 1e-9, Math.max(0, Math.log10(Math.max(ms, LatencyHistogram.minMs) / LatencyHistogram.minMs) * LatencyHistogram.binsPerDecade));
  }

  /** Spreads each point's weight evenly (in log space) over the range it stands for. */
  add(points: readonly WeightedPoint[]): void {
    for (const p of points) {
      this.total += p.weight;
      const from = this.position(p.low);
      const to = this.position(p.high);
      if (to - from < 1e-9) {
        this.bins[Math.floor(from)]! += p.weight;
        continue;
      }
      for (let bin = Math.floor(from); bin < to; bin++) {
        const overlap = Math.min(to, bin + 1) - Math.max(from, bin);
        this.bins[bin]! += (p.weight * overlap) / (to - from);
      }
    }
  }

  /** The q-quantile in ms, interpolated within its bin; null when empty. */
  quantile(q: number): number | null {
    if (this.total <= 0) return null;
    const target = q * this.total;
    let cumulative = 0;
    for (let i = 0; i < this.bins.length; i++) {
      const weight = this.bins[i]!;
      if (weight > 0 && cumulative + weight >= target) {
        const within = (target - cumulative) / weight;
        return LatencyHistogram.minMs * 10 ** ((i + within) / LatencyHistogram.binsPerDecade);
      }
      cumulative += weight;
    }
    return LatencyHistogram.minMs * 10 ** (this.bins.length / LatencyHistogram.binsPerDecade);
  }
}
