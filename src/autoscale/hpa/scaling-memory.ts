/**
 * What the controller remembers per HPA between reconciles (in memory: a restart of kube-controller-manager forgets
 * it). Times are seconds.
 */
export interface Recommendation {
  readonly replicas: number;
  readonly time: number;
}

export interface ScaleEvent {
  /** Absolute change in replicas. */
  readonly change: number;
  readonly time: number;
  /** Set once the event is older than the direction's longest policy period; its slot is then reused. */
  readonly outdated: boolean;
}

export interface ScalingMemory {
  /** Raw (unstabilized) desired counts; null before the first reconcile. */
  readonly recommendations: readonly Recommendation[] | null;
  readonly scaleUpEvents: readonly ScaleEvent[];
  readonly scaleDownEvents: readonly ScaleEvent[];
}

export const emptyScalingMemory: ScalingMemory = Object.freeze({ recommendations: null, scaleUpEvents: [], scaleDownEvents: [] });
