import { groupPods } from './pod-grouping.js';
import { proposal, proposalFailure, type MetricProposal, type ProposalContext } from './metric-proposal.js';
import type { PodSnapshot } from './pod-snapshot.js';
import { isWithinTolerance } from './tolerances.js';
import { plainUsage } from './usage-ratio.js';

/**
 * `calcPlainMetricReplicas`: the proposal for a Pods metric with an AverageValue target. Same damping as CPU, but
 * only Pending pods count as unready (the CPU start-up rules do not apply), and a pod without a sample is assumed
 * exactly at the target when scaling down.
 */
export function proposeForPodsAverage(context: ProposalContext, targetAverageValue: number, pods: readonly PodSnapshot[]): MetricProposal {
  const { currentReplicas, tolerances } = context;
  if (pods.length === 0) return proposalFailure('no pods returned by selector while calculating replica count');
  const groups = groupPods(pods, null);
  const setAside = new Set([...groups.ignored, ...groups.unready].map((pod) => pod.name));
  const values = new Map<string, number>();
  for (const pod of pods) if (pod.metric !== null && !setAside.has(pod.name)) values.set(pod.name, pod.metric.value);
  if (values.size === 0) return proposalFailure('did not receive metrics for targeted pods (pods might be unready)');

  const { ratio, usage } = plainUsage(values, targetAverageValue);
  const scaleUpWithUnready = groups.unready.length > 0 && ratio > 1;
  if (!scaleUpWithUnready && groups.missing.length === 0) {
    if (isWithinTolerance(ratio, tolerances)) return proposal(currentReplicas, usage);
    return proposal(Math.ceil(ratio * groups.readyCount), usage);
  }

  if (groups.missing.length > 0) {
    if (ratio < 1) for (const pod of groups.missing) values.set(pod.name, targetAverageValue);
    else if (ratio > 1) for (const pod of groups.missing) values.set(pod.name, 0);
  }
  if (scaleUpWithUnready) for (const pod of groups.unready) values.set(pod.name, 0);

  const newRatio = plainUsage(values, targetAverageValue).ratio;
  if (isWithinTolerance(newRatio, tolerances) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
    return proposal(currentReplicas, usage);
  }
  const newReplicas = Math.ceil(newRatio * values.size);
  if ((newRatio < 1 && newReplicas > currentReplicas) || (newRatio > 1 && newReplicas < currentReplicas)) {
    return proposal(currentReplicas, usage);
  }
  return proposal(newReplicas, usage);
}
