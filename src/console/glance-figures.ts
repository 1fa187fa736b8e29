import type { MetricSample } from './prometheus-text.js';

/** What one /metrics scrape says, summed over the scoring routes (REST and V2). */
export interface ScrapeTotals {
  at: number;
  requests: number;
  /** 503 answers outside the probes: load shedding (OVERLOADED) and draining. */
  shed: number;
  scored: number;
  inFlight: number;
  /** Cumulative duration-histogram counts by upper bound (seconds), ascending. */
  buckets: [number, number][];
}

export interface GlanceFigures {
  requestsPerSecond: number;
  /** null when no scoring request finished in the interval. */
  p99Ms: number | null;
  /** True when the p99 lies in the histogram's open top bucket: it is at least p99Ms. */
  p99AtLeast: boolean;
  inFlight: number;
  shedPerSecond: number;
  shedTotal: number;
  scoredPerSecond: number;
}

const scoringRoute = (route: string | undefined) => route !== undefined && (route.startsWith('/predict') || route.startsWith('/v2/'));
const probeRoute = (route: string | undefined) => route === '/readyz' || route === '/livez' || route === '/health';

export function totalsOf(samples: readonly MetricSample[], at: number): ScrapeTotals {
  const totals: ScrapeTotals = { at, requests: 0, shed: 0, scored: 0, inFlight: 0, buckets: [] };
  const buckets = new Map<number, number>();
  for (const s of samples) {
    const route = s.labels['route'];
    if (s.name === 'http_requests_total') {
      if (scoringRoute(route)) totals.requests += s.value;
      if (s.labels['status'] === '503' && !probeRoute(route)) totals.shed += s.value;
    } else if (s.name === 'http_request_duration_seconds_bucket' && scoringRoute(route)) {
      const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
      buckets.set(le, (buckets.get(le) ?? 0) + s.value);
    } else if (s.name === 'http_requests_in_flight') {
      // The scrape itself is in flight while the gauge is read.
      totals.inFlight = Math.max(0, s.value - 1);
    } else if (s.name === 'churn_predictions_total') {
      totals.scored += s.value;
    }
  }
  totals.buckets = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  return totals;
}

/** The p99 (ms) of the requests that finished between two scrapes, interpolated within its histogram bucket. */
function p99Between(before: ScrapeTotals, after: ScrapeTotals): { ms: number | null; atLeast: boolean } {
  const earlier = new Map(before.buckets);
  const deltas = after.buckets.map(([le, n]) => [le, n - (earlier.get(le) ?? 0)] as const);
  const total = deltas[deltas.length - 1]?.[1] ?? 0;
  if (total <= 0) return { ms: null, atLeast: false };
  const target = 0.99 * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, cumulative] of deltas) {
    if (cumulative >= target) {
      if (le === Infinity) return { ms: lowerBound * 1000, atLeast: true };
      const share = cumulative === lowerCount ? 1 : (target - lowerCount) / (cumulative - lowerCount);
      return { ms: (lowerBound + share * (le - lowerBound)) * 1000, atLeast: false };
    }
    lowerBound = le;
    lowerCount = cumulative;
  }
  return { ms: null, atLeast: false };
}

export function glanceFigures(before: ScrapeTotals, after: ScrapeTotals): GlanceFigures {
  const dt = Math.max(1e-3, (after.at - before.at) / 1000);
  const p99 = p99Between(before, after);
  return {
    requestsPerSecond: Math.max(0, after.requests - before.requests) / dt,
    p99Ms: p99.ms,
    p99AtLeast: p99.atLeast,
    inFlight: after.inFlight,
    shedPerSecond: Math.max(0, after.shed - before.shed) / dt,
    shedTotal: after.shed,
    scoredPerSecond: Math.max(0, after.scored - before.scored) / dt,
  };
}
