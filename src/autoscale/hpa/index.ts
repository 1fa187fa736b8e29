/**
 * The HorizontalPodAutoscaler controller's algorithm as a pure library: per-metric proposals
 * (replica_calculator.go) and the decision with stabilization and rate limits (horizontal.go). No I/O.
 */
export { controllerDefaults } from './controller-defaults.js';
export type { PodMetricSample, PodPhase, PodSnapshot } from './pod-snapshot.js';
export { groupPods, type PodGroups } from './pod-grouping.js';
export type { MetricProposal, MetricTarget, ProposalContext, ProposalInput } from './metric-proposal.js';
export { combineProposals, proposeReplicas } from './replica-proposal.js';
export { defaultTolerances, isWithinTolerance, tolerancesFor, uniformTolerances, type Tolerances } from './tolerances.js';
export {
  resolveBehavior, type ResolvedBehavior, type ResolvedScalingRules, type ScalingBehavior, type ScalingPolicy,
  type ScalingRules, type SelectPolicy,
} from './scaling-behavior.js';
export { emptyScalingMemory, type Recommendation, type ScaleEvent, type ScalingMemory } from './scaling-memory.js';
export { decideReplicas, type AutoscalerLimits, type ReplicaDecision } from './replica-decision.js';
