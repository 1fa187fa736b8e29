import type { ScalingBehavior, ScalingRules } from '../hpa/scaling-behavior.js';
import type { AutoscalerMetric, AutoscalerModel } from '../manifests/scaling-setup.js';

/** A scale-up policy the planner tries, with a name for the report. */
export interface ScaleUpChoice {
  readonly name: string;
  readonly rules: ScalingRules;
}

/** The Kubernetes default, a faster one for spiky traffic, and a gentler one that overshoots less. */
export const scaleUpChoices: readonly ScaleUpChoice[] = [
  { name: 'default (4 pods or 100% per 15 s)', rules: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }] } },
  { name: 'fast (10 pods or 300% per 15 s)', rules: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 300, periodSeconds: 15 }, { type: 'Pods', value: 10, periodSeconds: 15 }] } },
  { name: 'gentle (2 pods or 50% per 30 s)', rules: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 30 }, { type: 'Pods', value: 2, periodSeconds: 30 }] } },
];

/** The metric target the planner varies: the request rate when the autoscaler has one, else CPU. */
export type TargetChoice = { readonly kind: 'request-rate'; readonly rpsPerPod: number } | { readonly kind: 'cpu'; readonly utilization: number };

export interface PlanCandidate {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly target: TargetChoice;
  readonly scaleUp: ScaleUpChoice;
}

export const cpuTargets: readonly number[] = [50, 60, 70, 80, 90];
/** Fractions of one pod's sustainable rate to try as the per-pod request-rate target. */
export const requestRateFractions: readonly number[] = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Which targets to try for this autoscaler, given what one pod sustains. */
export function targetChoices(autoscaler: AutoscalerModel, sustainableRps: number): TargetChoice[] {
  if (autoscaler.metrics.some((m) => m.kind === 'request-rate')) {
    return requestRateFractions.map((f) => ({ kind: 'request-rate', rpsPerPod: Math.max(1, Math.round(f * sustainableRps)) }));
  }
  return cpuTargets.map((utilization) => ({ kind: 'cpu', utilization }));
}

/**
 * The autoscaler with a candidate's settings: min/max, the scale-up rules (scale-down kept as written, since it
 * costs pod-minutes but not latency), and the varied metric's target. Other metrics (a CPU backstop) stay.
 */
export function withCandidate(autoscaler: AutoscalerModel, candidate: PlanCandidate): AutoscalerModel {
  const metrics = autoscaler.metrics.map((metric): AutoscalerMetric => {
    if (candidate.target.kind === 'request-rate' && metric.kind === 'request-rate') {
      const milli = Math.round(candidate.target.rpsPerPod * 1000);
      return { ...metric, target: 'averageValue' in metric.target ? { averageValue: milli } : { value: milli } };
    }
    if (candidate.target.kind === 'cpu' && metric.kind === 'cpu-utilization') return { ...metric, targetUtilization: candidate.target.utilization };
    return metric;
  });
  const behavior: ScalingBehavior = { scaleUp: candidate.scaleUp.rules, scaleDown: autoscaler.behavior?.scaleDown ?? null };
  return { ...autoscaler, minReplicas: candidate.minReplicas, maxReplicas: candidate.maxReplicas, behavior, metrics };
}
