import type { ProposalContext } from '../../../src/autoscale/hpa/metric-proposal.js';
import type { PodPhase, PodSnapshot } from '../../../src/autoscale/hpa/pod-snapshot.js';
import { uniformTolerances } from '../../../src/autoscale/hpa/tolerances.js';

/** The clock of every scenario: pods start an hour before unless a case says otherwise. */
export const now = 50_000;

export const context = (currentReplicas: number, tolerance = 0.1): ProposalContext => ({
  currentReplicas,
  now,
  tolerances: uniformTolerances(tolerance),
  cpuInitializationPeriod: 300,
  initialReadinessDelay: 30,
});

export interface PodOptions {
  /** Sample value in milli-units; null for a pod without a sample. */
  usage: number | null;
  request?: number | null;
  phase?: PodPhase;
  ready?: boolean | null;
  deleted?: boolean;
  /** Seconds before `now` the pod started. */
  startedAgo?: number;
  /** Seconds before `now` the Ready condition last changed; default: 20 s after the start. */
  readyChangedAgo?: number;
  sampleAgo?: number;
  sampleWindow?: number;
}

let serial = 0;

export function pod(options: PodOptions): PodSnapshot {
  const startedAgo = options.startedAgo ?? 3600;
  return {
    name: `pod-${++serial}`,
    phase: options.phase ?? 'Running',
    ready: options.ready === undefined ? true : options.ready,
    deleted: options.deleted ?? false,
    startTime: now - startedAgo,
    readyTransitionTime: now - (options.readyChangedAgo ?? startedAgo - 20),
    request: options.request === undefined ? 1000 : options.request,
    metric: options.usage === null ? null : { value: options.usage, timestamp: now - (options.sampleAgo ?? 0), window: options.sampleWindow ?? 15 },
  };
}

/** A Running pod that never became Ready (its condition flipped to False within the initial readiness delay). */
export const neverReady = (usage: number | null, request = 1000): PodSnapshot => pod({ usage, request, ready: false, readyChangedAgo: 3600 - 5 });

export const pods = (usages: readonly (number | null)[], request = 1000): PodSnapshot[] => usages.map((usage) => pod({ usage, request }));
