import { latencyAt, type PodCapacity } from '../capacity/pod-capacity.js';
import type { SimulatedPod } from './simulated-pod.js';
import type { ServerBehaviour } from './simulation-options.js';

/** Requests that finished one step of one pod, and the latency of those accepted. */
export interface StepOutcome {
  served: number;
  /** 503 from the server's load shedding. */
  shed: number;
  /** Refused (listener closed) or timed out. */
  failed: number;
  /** Accepted arrivals and their latency: base percentiles plus the queueing wait at arrival, from first to last. */
  accepted: number;
  baseP50Ms: number;
  baseP99Ms: number;
  waitFromMs: number;
  waitToMs: number;
}

/**
 * One step of a single-threaded server as a fluid queue: it completes `saturationRps` at most; arrivals beyond that
 * wait in order; once the wait would pass the event-loop delay bound the server sheds the excess with 503 (and its
 * readiness fails). With shedding off, a wait past the request timeout fails instead.
 */
export function flowThroughPod(pod: SimulatedPod, arrivals: number, now: number, dt: number, capacity: PodCapacity, server: ServerBehaviour): StepOutcome {
  const outcome: StepOutcome = { served: 0, shed: 0, failed: 0, accepted: 0, baseP50Ms: 0, baseP99Ms: 0, waitFromMs: 0, waitToMs: 0 };
  const listening = now >= pod.appReadyAt && pod.exitedAt === null && (pod.stopAcceptingAt === null || now < pod.stopAcceptingAt);
  if (!listening) {
    outcome.failed = arrivals;
    arrivals = 0;
  }
  const mu = capacity.saturationRps;
  const running = pod.exitedAt === null && now >= pod.appReadyAt;
  const room = running ? mu * dt : 0;
  const before = pod.backlog;
  const excess = before + arrivals - room;
  outcome.served = excess < 0 ? before + arrivals : room;
  let after = Math.max(0, excess);
  const sheds = server.maxEventLoopDelayMs > 0;
  const bound = mu * ((sheds ? server.maxEventLoopDelayMs : server.requestTimeoutMs) / 1000);
  if (after > bound) {
    if (sheds) outcome.shed = after - bound;
    else outcome.failed += after - bound;
    after = bound;
  }
  pod.backlog = after;
  // under-pressure trips on the mean event-loop delay; near the bound is close enough for a probe period.
  pod.overloaded = sheds && after >= 0.9 * bound;
  outcome.accepted = arrivals - (sheds ? outcome.shed : 0);
  if (outcome.accepted > 0) {
    // The measured curve already holds the random queueing below saturation; the fluid backlog adds the rest.
    const ratePerSecond = Math.min(arrivals / dt, capacity.curve[capacity.curve.length - 1]!.rps);
    const base = latencyAt(capacity, ratePerSecond);
    // A request that would queue past the shedding bound is refused, not delayed: cap the calibrated queueing there.
    const first = capacity.curve[0]!;
    const cap = sheds ? server.maxEventLoopDelayMs : Number.POSITIVE_INFINITY;
    outcome.baseP50Ms = Math.min(base.p50Ms, first.p50Ms + cap);
    outcome.baseP99Ms = Math.min(base.p99Ms, first.p99Ms + cap);
    outcome.waitFromMs = (before / mu) * 1000;
    outcome.waitToMs = (after / mu) * 1000;
  }
  const startingUp = now >= pod.containerStartedAt && now < pod.appReadyAt;
  if (now >= pod.containerStartedAt && pod.exitedAt === null) {
    pod.cpuSeconds += startingUp ? capacity.startupCpuCores * dt : outcome.served * capacity.cpuSecondsPerRequest + capacity.idleCpuCores * dt;
  }
  pod.handledRequests += outcome.served + outcome.shed;
  return outcome;
}
