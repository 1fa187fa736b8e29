/**
 * kube-controller-manager's defaults for the podautoscaler (pkg/controller/podautoscaler/config/v1alpha1/defaults.go),
 * in seconds. The simulator and the `hpa` commands use them unless told otherwise.
 */
export const controllerDefaults = Object.freeze({
  /** --horizontal-pod-autoscaler-sync-period */
  syncPeriodSeconds: 15,
  /** --horizontal-pod-autoscaler-tolerance */
  tolerance: 0.1,
  /** --horizontal-pod-autoscaler-downscale-stabilization; also the scale-down window a behavior leaves unset. */
  downscaleStabilizationSeconds: 300,
  /** --horizontal-pod-autoscaler-cpu-initialization-period */
  cpuInitializationPeriodSeconds: 300,
  /** --horizontal-pod-autoscaler-initial-readiness-delay */
  initialReadinessDelaySeconds: 30,
});

/** The legacy (no `behavior`) scale-up cap: at most max(2 * current, 4) replicas (horizontal.go). */
export const legacyScaleUpLimitFactor = 2;
export const legacyScaleUpLimitMinimum = 4;

/** Replica counts are int32 in the API; a proposal never exceeds this. */
export const maxInt32 = 2_147_483_647;
export const minInt32 = -2_147_483_648;
