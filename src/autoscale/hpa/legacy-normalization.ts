import { legacyScaleUpLimitFactor, legacyScaleUpLimitMinimum } from './controller-defaults.js';
import type { Recommendation } from './scaling-memory.js';

export interface NormalizedReplicas {
  readonly replicas: number;
  readonly recommendations: Recommendation[];
}

/**
 * `stabilizeRecommendation`: the largest raw recommendation of the last window (upwards too), storing the new raw
 * one in the last slot older than the window, else appending.
 */
export function stabilizeLegacy(recommendations: readonly Recommendation[], desired: number, now: number, windowSeconds: number): NormalizedReplicas {
  const cutoff = now - windowSeconds;
  let stabilized = desired;
  let oldSlot = -1;
  recommendations.forEach((rec, i) => {
    if (rec.time < cutoff) oldSlot = i;
    else if (rec.replicas > stabilized) stabilized = rec.replicas;
  });
  const next = [...recommendations];
  const stored = { replicas: desired, time: now };
  if (oldSlot >= 0) next[oldSlot] = stored;
  else next.push(stored);
  return { replicas: stabilized, recommendations: next };
}

/** `calculateScaleUpLimit`: max(2 * current, 4), converted to int32 as Go does. */
export function legacyScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(legacyScaleUpLimitFactor * currentReplicas, legacyScaleUpLimitMinimum));
}

/** `convertDesiredReplicasWithRules`: clamp into [min, min(max, scale-up limit)]. */
export function clampLegacy(currentReplicas: number, desired: number, minReplicas: number, maxReplicas: number): number {
  const scaleUpLimit = legacyScaleUpLimit(currentReplicas);
  const maximumAllowed = maxReplicas > scaleUpLimit ? scaleUpLimit : maxReplicas;
  if (desired < minReplicas) return minReplicas;
  if (desired > maximumAllowed) return maximumAllowed;
  return desired;
}

/** `normalizeDesiredReplicas`, the path for an HPA without `spec.behavior`. */
export function normalizeLegacy(args: {
  readonly recommendations: readonly Recommendation[];
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly now: number;
  readonly downscaleStabilizationSeconds: number;
}): NormalizedReplicas {
  const stabilized = stabilizeLegacy(args.recommendations, args.desiredReplicas, args.now, args.downscaleStabilizationSeconds);
  return {
    replicas: clampLegacy(args.currentReplicas, stabilized.replicas, args.minReplicas, args.maxReplicas),
    recommendations: stabilized.recommendations,
  };
}
