import type { PodSnapshot } from './pod-snapshot.js';

export interface PodGroups {
  /** Pods whose metric counts as it is. */
  readonly readyCount: number;
  /** Pending pods, and for CPU pods whose sample may still carry start-up CPU; scaled as 0 on the way up. */
  readonly unready: readonly PodSnapshot[];
  /** Pods without a sample; assumed at the target (or 100% of request) going down and 0 going up. */
  readonly missing: readonly PodSnapshot[];
  /** Terminating or terminal pods; left out entirely. */
  readonly ignored: readonly PodSnapshot[];
}

export interface CpuReadinessRules {
  /** Seconds after start during which a CPU sample counts only if taken wholly after the pod became Ready. */
  readonly cpuInitializationPeriod: number;
  /** A pod older than the initialization period is unready only if it never became Ready within this delay. */
  readonly initialReadinessDelay: number;
  readonly now: number;
}

const longAgo = Number.NEGATIVE_INFINITY;

/**
 * `groupPods` of replica_calculator.go. The readiness rules for CPU exist because a starting JVM or model server
 * burns CPU before it serves: counting that would scale up on start-up noise. Other metrics only set Pending aside.
 */
export function groupPods(pods: readonly PodSnapshot[], cpuRules: CpuReadinessRules | null): PodGroups {
  let readyCount = 0;
  const unready: PodSnapshot[] = [];
  const missing: PodSnapshot[] = [];
  const ignored: PodSnapshot[] = [];
  for (const pod of pods) {
    if (pod.deleted || pod.phase === 'Failed' || pod.phase === 'Succeeded') {
      ignored.push(pod);
      continue;
    }
    if (pod.phase === 'Pending') {
      unready.push(pod);
      continue;
    }
    const metric = pod.metric;
    if (metric === null) {
      missing.push(pod);
      continue;
    }
    if (cpuRules !== null && cpuSampleIsUnready(pod, metric.timestamp, metric.window, cpuRules)) {
      unready.push(pod);
      continue;
    }
    readyCount++;
  }
  return { readyCount, unready, missing, ignored };
}

function cpuSampleIsUnready(pod: PodSnapshot, sampleTime: number, sampleWindow: number, rules: CpuReadinessRules): boolean {
  if (pod.ready === null || pod.startTime === null) return true;
  const transition = pod.readyTransitionTime ?? longAgo;
  // Strict comparisons mirror time.After/time.Before in the controller.
  if (pod.startTime + rules.cpuInitializationPeriod > rules.now) {
    return pod.ready === false || sampleTime < transition + sampleWindow;
  }
  return pod.ready === false && pod.startTime + rules.initialReadinessDelay > transition;
}
