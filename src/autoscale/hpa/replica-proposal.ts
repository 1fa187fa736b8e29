import { proposeForExternalAverage, proposeForExternalValue } from './external-metric-proposal.js';
import { proposalFailure, type MetricProposal, type ProposalInput } from './metric-proposal.js';
import { proposeForPodsAverage } from './pods-metric-proposal.js';
import { proposeForCpuUtilization } from './resource-proposal.js';

/** One metric's replica proposal, dispatched on the metric's type as `computeReplicasForMetric` does. */
export function proposeReplicas(input: ProposalInput): MetricProposal {
  const { metric } = input;
  switch (metric.type) {
    case 'Resource':
      return proposeForCpuUtilization(input, metric.targetUtilization, input.pods);
    case 'Pods':
      return proposeForPodsAverage(input, metric.targetAverageValue, input.pods);
    case 'External': {
      if (input.externalValue === undefined) return proposalFailure('no external metric value');
      if ('targetValue' in metric) return proposeForExternalValue(metric.targetValue, input.externalValue, input.pods, input);
      return proposeForExternalAverage(metric.targetAverageValue, input.externalValue, input.statusReplicas ?? input.currentReplicas, input);
    }
  }
}

/**
 * `computeReplicasForMetrics`: the largest proposal wins. When some metrics fail, the controller still scales up on
 * the rest but refuses to scale down (it cannot know the failed metric would agree); null means "do not scale".
 */
export function combineProposals(proposals: readonly MetricProposal[], specReplicas: number): number | null {
  let replicas = 0;
  let invalid = 0;
  for (const p of proposals) {
    if (!p.ok) {
      invalid++;
      continue;
    }
    if (replicas === 0 || p.desiredReplicas > replicas) replicas = p.desiredReplicas;
  }
  if (invalid >= proposals.length || (invalid > 0 && replicas < specReplicas)) return null;
  return replicas;
}
