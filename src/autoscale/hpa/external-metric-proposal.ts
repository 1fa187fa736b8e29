import { maxInt32 } from './controller-defaults.js';
import { proposal, proposalFailure, type MetricProposal, type ProposalContext } from './metric-proposal.js';
import type { PodSnapshot } from './pod-snapshot.js';
import { isWithinTolerance } from './tolerances.js';

const clampToInt32 = (replicas: number) => Math.min(replicas, maxInt32);

/**
 * `GetExternalPerPodMetricReplicas`: an External metric with an AverageValue target, which is what a KEDA
 * ScaledObject produces by default. The total is divided by scale.status.replicas and there is no readiness or
 * missing-pod damping at all, so a burst is followed as soon as the metric shows it.
 */
export function proposeForExternalAverage(targetAverageValue: number, externalValue: number, statusReplicas: number, context: ProposalContext): MetricProposal {
  let replicas = statusReplicas;
  const ratio = externalValue / (targetAverageValue * statusReplicas);
  if (!isWithinTolerance(ratio, context.tolerances)) replicas = clampToInt32(Math.ceil(externalValue / targetAverageValue));
  const perPod = statusReplicas === 0 ? 0 : Math.ceil(externalValue / statusReplicas);
  return proposal(replicas, perPod);
}

/**
 * `GetExternalMetricReplicas`: an External metric with a Value target. The ratio multiplies the Running and Ready
 * pods; from zero replicas it is the ratio itself (so a Value target can wake a workload).
 */
export function proposeForExternalValue(targetValue: number, externalValue: number, pods: readonly PodSnapshot[], context: ProposalContext): MetricProposal {
  const ratio = externalValue / targetValue;
  const { currentReplicas } = context;
  if (currentReplicas === 0) return proposal(clampToInt32(Math.ceil(ratio)), externalValue);
  if (isWithinTolerance(ratio, context.tolerances)) return proposal(currentReplicas, externalValue);
  if (pods.length === 0) return proposalFailure('unable to calculate ready pods: no pods returned by selector while calculating replica count');
  const readyPods = pods.filter((pod) => pod.phase === 'Running' && pod.ready === true).length;
  return proposal(clampToInt32(Math.ceil(ratio * readyPods)), externalValue);
}
