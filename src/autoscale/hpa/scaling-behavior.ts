/** `spec.behavior` of an autoscaling/v2 HorizontalPodAutoscaler, as written (every field optional). */
export interface ScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface ScalingRules {
  readonly stabilizationWindowSeconds?: number | null;
  readonly selectPolicy?: SelectPolicy | null;
  readonly policies?: readonly ScalingPolicy[] | null;
  /** Per-direction tolerance (KEP-4951, beta in 1.35), as a fraction. */
  readonly tolerance?: number | null;
}

export interface ScalingBehavior {
  readonly scaleUp?: ScalingRules | null;
  readonly scaleDown?: ScalingRules | null;
}

/** Rules with every field the API server and controller fill in. */
export interface ResolvedScalingRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: SelectPolicy;
  readonly policies: readonly ScalingPolicy[];
  readonly tolerance: number | null;
}

export interface ResolvedBehavior {
  readonly scaleUp: ResolvedScalingRules;
  readonly scaleDown: ResolvedScalingRules;
}

/** pkg/apis/autoscaling/v2/defaults.go: 4 pods or 100% every 15 s, whichever is more, with no window. */
export const defaultScaleUpRules: ResolvedScalingRules = Object.freeze({
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: Object.freeze([
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ] as const),
  tolerance: null,
});

/** Scale-down may remove everything above min every 15 s, after the controller's stabilization window. */
export const defaultScaleDownPolicies: readonly ScalingPolicy[] = Object.freeze([{ type: 'Percent', value: 100, periodSeconds: 15 }] as const);

/**
 * Fills the behavior as the API server's defaulting (copyHPAScalingRules: only non-null fields override) and the
 * controller's `maybeInitScaleDownStabilizationWindow` do. Only called when a behavior is present: an HPA without
 * one takes the legacy path, which is not the same as these defaults.
 */
export function resolveBehavior(behavior: ScalingBehavior, downscaleStabilizationSeconds: number): ResolvedBehavior {
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  return {
    scaleUp: {
      stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? defaultScaleUpRules.stabilizationWindowSeconds,
      selectPolicy: up.selectPolicy ?? defaultScaleUpRules.selectPolicy,
      policies: up.policies ?? defaultScaleUpRules.policies,
      tolerance: up.tolerance ?? null,
    },
    scaleDown: {
      stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? downscaleStabilizationSeconds,
      selectPolicy: down.selectPolicy ?? 'Max',
      policies: down.policies ?? defaultScaleDownPolicies,
      tolerance: down.tolerance ?? null,
    },
  };
}

/** The longest policy period: scale events older than this can no longer limit anything. */
export function longestPolicyPeriod(rules: ResolvedScalingRules): number {
  let longest = 0;
  for (const policy of rules.policies) if (policy.periodSeconds > longest) longest = policy.periodSeconds;
  return longest;
}
