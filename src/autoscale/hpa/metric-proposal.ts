import type { PodSnapshot } from './pod-snapshot.js';
import type { Tolerances } from './tolerances.js';

/** The metric targets the simulator supports, in the units of autoscaling/v2 (milli-units for values). */
export type MetricTarget =
  /** Resource cpu with target.type Utilization: percent of the pods' requests. */
  | { readonly type: 'Resource'; readonly targetUtilization: number }
  /** Pods metric (e.g. requests per second from an adapter) with target.type AverageValue, milli-units. */
  | { readonly type: 'Pods'; readonly targetAverageValue: number }
  /** External metric (what KEDA serves) with target.type AverageValue, milli-units per pod. */
  | { readonly type: 'External'; readonly targetAverageValue: number }
  /** External metric with target.type Value, milli-units in total. */
  | { readonly type: 'External'; readonly targetValue: number };

/** Everything one reconcile knows besides the metric itself. Times are seconds. */
export interface ProposalContext {
  /** scale.spec.replicas: the Deployment's desired count, not the ready count. */
  readonly currentReplicas: number;
  readonly now: number;
  readonly tolerances: Tolerances;
  readonly cpuInitializationPeriod: number;
  readonly initialReadinessDelay: number;
}

export interface ProposalInput extends ProposalContext {
  readonly metric: MetricTarget;
  /** Every pod the scale selector matches, each with its sample of this metric (External: samples unused). */
  readonly pods: readonly PodSnapshot[];
  /** External metrics: the sum of the values the external metrics API returned, milli-units. */
  readonly externalValue?: number;
  /** External AverageValue divides by scale.status.replicas (pods created and not terminating). */
  readonly statusReplicas?: number;
}

/**
 * A per-metric replica proposal, or why the metric gave none. `utilization` is what the HPA status reports: percent
 * for CPU utilization, average milli-units per pod for Pods and External AverageValue, the total for External Value.
 */
export type MetricProposal =
  | { readonly ok: true; readonly desiredReplicas: number; readonly utilization: number }
  | { readonly ok: false; readonly reason: string };

export const proposalFailure = (reason: string): MetricProposal => ({ ok: false, reason });

export const proposal = (desiredReplicas: number, utilization: number): MetricProposal => ({ ok: true, desiredReplicas, utilization });
