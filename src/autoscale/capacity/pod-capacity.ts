/** A latency point of one pod that is not backlogged: the measured percentiles at an arrival rate. */
export interface LatencyPoint {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * What one server process (one pod) can do, as the simulator uses it. Node runs JavaScript on one thread, so a pod
 * completes at most `saturationRps` whatever its CPU limit above one core; beyond that requests queue.
 */
export interface PodCapacity {
  /** Requests per second one pod completes when saturated. */
  readonly saturationRps: number;
  /** CPU seconds per request, what metrics-server sees (may exceed the event-loop time: GC, I/O threads). */
  readonly cpuSecondsPerRequest: number;
  /** Highest rate that met the calibration SLO; informative. */
  readonly maxSustainableRps: number;
  /** CPU of an idle pod (timers, probes, scrapes), cores. */
  readonly idleCpuCores: number;
  /** CPU while the process starts and loads the model, cores. */
  readonly startupCpuCores: number;
  /** Latency below saturation, sorted by rps. */
  readonly curve: readonly LatencyPoint[];
  /** Where the numbers come from, for reports. */
  readonly source: string;
}

const lnHalf = Math.LN2;
const lnHundredth = Math.log(100);

/**
 * Latency percentiles of a pod receiving `rps` without a backlog. Between measured points: linear interpolation.
 * Past the last one the M/M/1 sojourn time (quantile q = -ln(1-q) * s / (1 - rho)) carries the curve on towards
 * saturation, anchored at the last point so it stays continuous.
 */
export function latencyAt(capacity: PodCapacity, rps: number): { p50Ms: number; p99Ms: number } {
  const curve = capacity.curve;
  const first = curve[0]!;
  if (rps <= first.rps) return { p50Ms: first.p50Ms, p99Ms: first.p99Ms };
  for (let i = 1; i < curve.length; i++) {
    const b = curve[i]!;
    if (rps <= b.rps) {
      const a = curve[i - 1]!;
      const f = (rps - a.rps) / (b.rps - a.rps);
      return { p50Ms: a.p50Ms + f * (b.p50Ms - a.p50Ms), p99Ms: a.p99Ms + f * (b.p99Ms - a.p99Ms) };
    }
  }
  const last = curve[curve.length - 1]!;
  const serviceMs = 1000 / capacity.saturationRps;
  const rho = Math.min(0.98, rps / capacity.saturationRps);
  const rhoLast = Math.min(0.98, last.rps / capacity.saturationRps);
  const growth = Math.max(0, serviceMs * (1 / (1 - rho) - 1 / (1 - rhoLast)));
  return { p50Ms: last.p50Ms + lnHalf * growth, p99Ms: last.p99Ms + lnHundredth * growth };
}
