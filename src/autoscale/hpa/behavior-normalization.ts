import { maxInt32, minInt32 } from './controller-defaults.js';
import type { NormalizedReplicas } from './legacy-normalization.js';
import { replicasChangedWithin } from './scale-events.js';
import type { ResolvedBehavior, ResolvedScalingRules } from './scaling-behavior.js';
import type { Recommendation, ScaleEvent } from './scaling-memory.js';

/**
 * `stabilizeRecommendationWithBehaviors`: the current count clamped between the smallest raw recommendation of the
 * scale-up window and the largest of the scale-down window. The raw desired count is stored, reusing the last slot
 * older than both windows.
 */
export function stabilizeWithBehavior(recommendations: readonly Recommendation[], behavior: ResolvedBehavior, currentReplicas: number, desired: number, now: number): NormalizedReplicas {
  const upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds;
  const downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds;
  let upRecommendation = desired;
  let downRecommendation = desired;
  let oldSlot = -1;
  recommendations.forEach((rec, i) => {
    if (rec.time > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.time > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
    if (rec.time < upCutoff && rec.time < downCutoff) oldSlot = i;
  });
  let recommendation = currentReplicas;
  if (recommendation < upRecommendation) recommendation = upRecommendation;
  if (recommendation > downRecommendation) recommendation = downRecommendation;
  const next = [...recommendations];
  const stored = { replicas: desired, time: now };
  if (oldSlot >= 0) next[oldSlot] = stored;
  else next.push(stored);
  return { replicas: recommendation, recommendations: next };
}

/** Replicas at the start of a policy's period: the current count with the period's changes undone. */
function periodStartReplicas(periodSeconds: number, currentReplicas: number, upEvents: readonly ScaleEvent[], downEvents: readonly ScaleEvent[], now: number): number {
  return currentReplicas - replicasChangedWithin(periodSeconds, upEvents, now) + replicasChangedWithin(periodSeconds, downEvents, now);
}

/** `calculateScaleUpLimitWithScalingRules`: the most replicas the policies allow now (Max picks the largest). */
export function scaleUpLimit(currentReplicas: number, upEvents: readonly ScaleEvent[], downEvents: readonly ScaleEvent[], rules: ResolvedScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? maxInt32 : minInt32;
  for (const policy of rules.policies) {
    const start = periodStartReplicas(policy.periodSeconds, currentReplicas, upEvents, downEvents, now);
    // Percent rounds up, or a small deployment could never grow.
    const proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** `calculateScaleDownLimitWithBehaviors`: the fewest replicas the policies allow now (Max picks the largest drop). */
export function scaleDownLimit(currentReplicas: number, upEvents: readonly ScaleEvent[], downEvents: readonly ScaleEvent[], rules: ResolvedScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? minInt32 : maxInt32;
  for (const policy of rules.policies) {
    const start = periodStartReplicas(policy.periodSeconds, currentReplicas, upEvents, downEvents, now);
    const proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** `convertDesiredReplicasWithBehaviorRate`: the stabilized count, rate-limited by the policies and min/max. */
export function limitByBehaviorRate(args: {
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly behavior: ResolvedBehavior;
  readonly scaleUpEvents: readonly ScaleEvent[];
  readonly scaleDownEvents: readonly ScaleEvent[];
  readonly now: number;
}): number {
  const { currentReplicas, desiredReplicas, behavior, scaleUpEvents, scaleDownEvents, now } = args;
  if (desiredReplicas > currentReplicas) {
    // A limit below the current count (events from a since-tightened policy) means "hold", never "shrink".
    const limit = Math.max(currentReplicas, scaleUpLimit(currentReplicas, scaleUpEvents, scaleDownEvents, behavior.scaleUp, now));
    return Math.min(desiredReplicas, Math.min(args.maxReplicas, limit));
  }
  if (desiredReplicas < currentReplicas) {
    const limit = Math.min(currentReplicas, scaleDownLimit(currentReplicas, scaleUpEvents, scaleDownEvents, behavior.scaleDown, now));
    return Math.max(desiredReplicas, Math.max(args.minReplicas, limit));
  }
  return desiredReplicas;
}
