import { controllerDefaults } from './controller-defaults.js';
import { limitByBehaviorRate, stabilizeWithBehavior } from './behavior-normalization.js';
import { normalizeLegacy } from './legacy-normalization.js';
import { storeScaleEvent } from './scale-events.js';
import { resolveBehavior, type ScalingBehavior } from './scaling-behavior.js';
import type { ScalingMemory } from './scaling-memory.js';

/** The parts of an HPA spec that shape the decision after the metrics. */
export interface AutoscalerLimits {
  /** spec.minReplicas; the API defaults it to 1. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** spec.behavior; null selects the legacy normalisation. */
  readonly behavior: ScalingBehavior | null;
  /** --horizontal-pod-autoscaler-downscale-stabilization, seconds. */
  readonly downscaleStabilizationSeconds?: number;
}

export interface ReplicaDecision {
  /** What the controller writes to scale.spec.replicas (equal to the current count when it does not scale). */
  readonly desiredReplicas: number;
  readonly memory: ScalingMemory;
  /** Why, in the words of the controller's events and conditions. */
  readonly reason: string;
}

/**
 * The decision half of `reconcileAutoscaler`: from the combined metric proposal (null when the metrics forbid
 * scaling) to the new replica count, through min/max and either normalisation path, updating what the controller
 * remembers. Pure: the memory in is never changed.
 */
export function decideReplicas(args: {
  readonly limits: AutoscalerLimits;
  readonly memory: ScalingMemory;
  readonly currentReplicas: number;
  readonly proposal: number | null;
  readonly now: number;
}): ReplicaDecision {
  const { limits, currentReplicas, now } = args;
  const window = limits.downscaleStabilizationSeconds ?? controllerDefaults.downscaleStabilizationSeconds;
  // recordInitialRecommendation: a fresh controller remembers the current count, which holds scale-downs for a window.
  let memory: ScalingMemory = args.memory.recommendations === null
    ? { ...args.memory, recommendations: [{ replicas: currentReplicas, time: now }] }
    : args.memory;
  const { minReplicas, maxReplicas } = limits;

  let desired: number;
  let reason: string;
  if (currentReplicas === 0) {
    return { desiredReplicas: 0, memory, reason: 'ScalingDisabled: the replica count of the target is zero' };
  } else if (currentReplicas > maxReplicas) {
    desired = maxReplicas;
    reason = 'Current number of replicas above Spec.MaxReplicas';
  } else if (currentReplicas < minReplicas) {
    desired = minReplicas;
    reason = 'Current number of replicas below Spec.MinReplicas';
  } else {
    if (args.proposal === null) return { desiredReplicas: currentReplicas, memory, reason: 'FailedComputeMetricsReplicas' };
    const proposed = Math.max(0, args.proposal);
    reason = proposed > currentReplicas ? 'metric above target' : proposed < currentReplicas ? 'All metrics below target' : '';
    const recommendations = memory.recommendations ?? [];
    if (limits.behavior === null) {
      const normalized = normalizeLegacy({ recommendations, currentReplicas, desiredReplicas: proposed, minReplicas, maxReplicas, now, downscaleStabilizationSeconds: window });
      desired = normalized.replicas;
      memory = { ...memory, recommendations: normalized.recommendations };
    } else {
      const behavior = resolveBehavior(limits.behavior, window);
      const stabilized = stabilizeWithBehavior(recommendations, behavior, currentReplicas, proposed, now);
      memory = { ...memory, recommendations: stabilized.recommendations };
      desired = limitByBehaviorRate({
        currentReplicas, desiredReplicas: stabilized.replicas, minReplicas, maxReplicas, behavior,
        scaleUpEvents: memory.scaleUpEvents, scaleDownEvents: memory.scaleDownEvents, now,
      });
    }
  }

  if (desired === currentReplicas) return { desiredReplicas: currentReplicas, memory, reason: reason || 'recommended size matches current size' };
  if (limits.behavior !== null) {
    // Scale events are kept only for behaviors: the legacy path has no rate policies to feed.
    const behavior = resolveBehavior(limits.behavior, window);
    memory = desired > currentReplicas
      ? { ...memory, scaleUpEvents: storeScaleEvent(memory.scaleUpEvents, behavior.scaleUp, desired - currentReplicas, now) }
      : { ...memory, scaleDownEvents: storeScaleEvent(memory.scaleDownEvents, behavior.scaleDown, currentReplicas - desired, now) };
  }
  return { desiredReplicas: desired, memory, reason };
}
