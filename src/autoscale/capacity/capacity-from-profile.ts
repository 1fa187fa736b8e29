import { ChurnError } from '../../errors.js';
import type { CapacityProfile } from '../../loadtest/capacity-profile.js';
import type { LatencyPoint, PodCapacity } from './pod-capacity.js';

export interface CapacityOptions {
  /**
   * `--service-time`: model a heavier (CPU-bound) model taking this many seconds per request. The profile then gives
   * only the fixed overhead; queueing comes from an M/D/1 model of the single event loop.
   */
  readonly serviceTimeSeconds?: number;
  /** The container's CPU limit in cores; a limit below what saturation needs throttles the pod. */
  readonly cpuLimitCores?: number | null;
}

const idleCpuCores = 0.005;

/**
 * Latency of a single-threaded server with a constant service time s under Poisson arrivals (M/D/1): the wait
 * exceeds t with probability about rho * exp(-2 (1 - rho) t / s), half the M/M/1 decay time, which matches the
 * Pollaczek-Khinchine mean. Points from 5% to 95% utilization.
 */
function queueingCurve(s: number, overheadP50Ms: number, overheadP99Ms: number): LatencyPoint[] {
  const waitQuantileMs = (rho: number, q: number) => (rho > 1 - q ? (Math.log(rho / (1 - q)) * s * 1000) / (2 * (1 - rho)) : 0);
  return Array.from({ length: 19 }, (_, i) => {
    const rho = 0.05 * (i + 1);
    return { rps: rho / s, p50Ms: overheadP50Ms + s * 1000 + waitQuantileMs(rho, 0.5), p99Ms: overheadP99Ms + s * 1000 + waitQuantileMs(rho, 0.99) };
  });
}

/** A step is unsaturated when the server kept up with what was offered. */
const keptUp = (step: CapacityProfile['steps'][number]) => step.achievedRps >= 0.95 * step.offeredRps && step.errorRate < 0.01;

/**
 * Turns a `loadtest --calibrate` profile into the per-pod model the simulator runs. The saturation rate is the best
 * achieved rate when some step fell behind; otherwise one core divided by the CPU per request (the event-loop
 * ceiling of a Node process), an estimate the report names.
 */
export function podCapacityFromProfile(profile: CapacityProfile, options: CapacityOptions = {}): PodCapacity {
  const steps = [...profile.steps].sort((a, b) => a.offeredRps - b.offeredRps);
  const top = steps.reduce((best, s) => (s.achievedRps > best.achievedRps ? s : best), steps[0]!);
  const measuredCpu = profile.cpuSecondsPerRequest > 0 ? profile.cpuSecondsPerRequest : top.cpuUtilization / Math.max(top.achievedRps, 1e-9);
  if (!(measuredCpu > 0)) throw new ChurnError('INVALID_CAPACITY_PROFILE', 'the capacity profile gives no CPU per request');
  const saturated = steps.some((s) => !keptUp(s));
  let saturationRps = saturated ? top.achievedRps : 1 / measuredCpu;
  let source = `capacity profile measured ${profile.measuredAt} (${profile.payload})${saturated ? '' : '; saturation estimated from CPU per request'}`;
  let curve: LatencyPoint[] = steps.filter(keptUp).map((s) => ({ rps: s.achievedRps, p50Ms: s.p50Ms, p99Ms: s.p99Ms }));
  if (curve.length === 0) curve = [{ rps: steps[0]!.achievedRps, p50Ms: steps[0]!.p50Ms, p99Ms: steps[0]!.p99Ms }];
  curve = curve.filter((p) => p.rps < saturationRps);
  if (curve.length === 0) curve = [{ rps: 0, p50Ms: steps[0]!.p50Ms, p99Ms: steps[0]!.p99Ms }];
  let cpuSecondsPerRequest = measuredCpu;
  let maxSustainableRps = profile.maxSustainableRps;

  if (options.serviceTimeSeconds !== undefined) {
    const s = options.serviceTimeSeconds;
    const base = curve[0]!;
    const measuredServiceMs = 1000 / saturationRps;
    // What is not service time at low load (HTTP, JSON, the loopback) stays; queueing follows from s itself.
    curve = queueingCurve(s, Math.max(0, base.p50Ms - measuredServiceMs), Math.max(0, base.p99Ms - measuredServiceMs));
    maxSustainableRps = (maxSustainableRps / saturationRps) * (1 / s);
    saturationRps = 1 / s;
    cpuSecondsPerRequest = s;
    source = `service time ${(s * 1000).toFixed(1)} ms per request (CPU-bound, M/D/1 queueing), overhead from the ${source}`;
  }

  const limit = options.cpuLimitCores ?? null;
  if (limit !== null && limit < saturationRps * cpuSecondsPerRequest) {
    // CFS throttling: the pod gets `limit` cores per second, so it completes limit / cpu-per-request at most.
    const throttled = limit / cpuSecondsPerRequest;
    curve = curve.filter((p) => p.rps < throttled);
    if (curve.length === 0) curve = [{ rps: 0, p50Ms: 1000 * cpuSecondsPerRequest, p99Ms: 1000 * cpuSecondsPerRequest }];
    saturationRps = throttled;
    source += `; throttled by the ${limit}-core CPU limit`;
  }
  return {
    saturationRps,
    cpuSecondsPerRequest,
    maxSustainableRps: Math.min(maxSustainableRps, saturationRps),
    idleCpuCores,
    startupCpuCores: Math.min(1, limit ?? 1),
    curve,
    source,
  };
}
