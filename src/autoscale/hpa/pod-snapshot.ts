/** Pod phases as the API reports them; Succeeded and Failed are terminal. */
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** One sample of a pod's metric, as metrics-server or a custom-metrics adapter serves it. Times are seconds. */
export interface PodMetricSample {
  /** Milli-units: millicores for CPU, milli-requests per second for a request rate. */
  readonly value: number;
  /** End of the window the sample covers. */
  readonly timestamp: number;
  /** Length of that window. */
  readonly window: number;
}

/**
 * What the controller knows of one pod when it decides: the pod object from the informer plus the pod's sample of the
 * metric being evaluated. Times are seconds on any one clock shared with `now`.
 */
export interface PodSnapshot {
  readonly name: string;
  readonly phase: PodPhase;
  /** Status of the Ready condition; null when the pod has no Ready condition yet. */
  readonly ready: boolean | null;
  /** Whether the pod has a deletionTimestamp (it is terminating). */
  readonly deleted: boolean;
  /** status.startTime (the kubelet acknowledged the pod); null when not set yet. */
  readonly startTime: number | null;
  /** lastTransitionTime of the Ready condition; null is read as "long ago". */
  readonly readyTransitionTime: number | null;
  /** Sum of the containers' CPU requests in millicores; null when some container has none. CPU only. */
  readonly request: number | null;
  /** null when the metrics API returned nothing for this pod. */
  readonly metric: PodMetricSample | null;
}
