import { groupPods } from './pod-grouping.js';
import { proposal, proposalFailure, type MetricProposal, type ProposalContext } from './metric-proposal.js';
import type { PodSnapshot } from './pod-snapshot.js';
import { isWithinTolerance } from './tolerances.js';
import { resourceUtilization } from './usage-ratio.js';

/**
 * `GetResourceReplicas`: the proposal for CPU utilization. When pods are unready or lack samples, the proposal is
 * recomputed as if those pods used nothing (scaling up) or their whole request (scaling down), and it is dropped
 * whenever that pessimistic recount flips the direction: the controller prefers no change to a change it cannot
 * justify with every pod counted.
 */
export function proposeForCpuUtilization(context: ProposalContext, targetUtilization: number, pods: readonly PodSnapshot[]): MetricProposal {
  const { currentReplicas, tolerances } = context;
  if (pods.length === 0) return proposalFailure('no pods returned by selector while calculating replica count');
  const groups = groupPods(pods, context);
  const setAside = new Set([...groups.ignored, ...groups.unready].map((pod) => pod.name));
  const values = new Map<string, number>();
  for (const pod of pods) if (pod.metric !== null && !setAside.has(pod.name)) values.set(pod.name, pod.metric.value);
  if (values.size === 0) return proposalFailure('did not receive metrics for targeted pods (pods might be unready)');

  const requests = new Map<string, number>();
  for (const pod of pods) {
    if (pod.request === null) return proposalFailure(`missing request for cpu in pod ${pod.name}`);
    requests.set(pod.name, pod.request);
  }

  const first = resourceUtilization(values, requests, targetUtilization);
  if (first === null) return proposalFailure('no metrics returned matched known pods');
  const { ratio, utilization } = first;

  const scaleUpWithUnready = groups.unready.length > 0 && ratio > 1;
  if (!scaleUpWithUnready && groups.missing.length === 0) {
    if (isWithinTolerance(ratio, tolerances)) return proposal(currentReplicas, utilization);
    return proposal(Math.ceil(ratio * groups.readyCount), utilization);
  }

  if (groups.missing.length > 0) {
    if (ratio < 1) {
      // Scaling down: a pod without a sample is assumed busy, at its whole request (or the target when above 100%).
      const fallback = Math.max(100, targetUtilization);
      for (const pod of groups.missing) values.set(pod.name, Math.trunc((requests.get(pod.name)! * fallback) / 100));
    } else if (ratio > 1) {
      for (const pod of groups.missing) values.set(pod.name, 0);
    }
  }
  if (scaleUpWithUnready) for (const pod of groups.unready) values.set(pod.name, 0);

  const second = resourceUtilization(values, requests, targetUtilization);
  if (second === null) return proposalFailure('no metrics returned matched known pods');
  const newRatio = second.ratio;
  if (isWithinTolerance(newRatio, tolerances) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
    return proposal(currentReplicas, utilization);
  }
  const newReplicas = Math.ceil(newRatio * values.size);
  if ((newRatio < 1 && newReplicas > currentReplicas) || (newRatio > 1 && newReplicas < currentReplicas)) {
    return proposal(currentReplicas, utilization);
  }
  return proposal(newReplicas, utilization);
}
