import type { ScalingBehavior } from '../hpa/scaling-behavior.js';

/** A probe's timing fields with the API defaults filled in. */
export interface ProbeTiming {
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

/** What the simulator needs from the Deployment. */
export interface DeploymentModel {
  readonly name: string;
  /** spec.replicas; null when left to the autoscaler. */
  readonly replicas: number | null;
  readonly containerName: string;
  /** Sum of the pod's CPU requests in millicores, as the HPA divides by; null when some container has none. */
  readonly cpuRequestMillis: number | null;
  /** The serving container's CPU limit; null when unlimited. */
  readonly cpuLimitMillis: number | null;
  readonly memoryRequestBytes: number | null;
  readonly startupProbe: ProbeTiming | null;
  readonly readinessProbe: ProbeTiming | null;
  /** lifecycle.preStop sleep (native sleep action or an exec `sleep N`); 0 when none. */
  readonly preStopSleepSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  /** Literal environment values of the serving container (valueFrom entries are left out). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * One autoscaling metric and what it measures. Pods and External metrics are taken to measure the service's request
 * rate (requests per second), the only custom signal this project exports.
 */
export type AutoscalerMetric =
  | { readonly kind: 'cpu-utilization'; readonly targetUtilization: number }
  | {
    readonly kind: 'request-rate';
    readonly source: 'Pods' | 'External';
    readonly name: string;
    /** AverageValue targets are per pod; Value targets (External only) are for the whole service. */
    readonly target: { readonly averageValue: number } | { readonly value: number };
    /** Length of the rate() window behind the metric, seconds. */
    readonly rateWindowSeconds: number;
  };

export interface AutoscalerModel {
  readonly kind: 'HorizontalPodAutoscaler' | 'ScaledObject';
  readonly name: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** The HPA's spec.behavior (for KEDA, advanced.horizontalPodAutoscalerConfig.behavior); null for the legacy path. */
  readonly behavior: ScalingBehavior | null;
  readonly metrics: readonly AutoscalerMetric[];
}

export interface ScalingSetup {
  readonly deployment: DeploymentModel;
  readonly autoscaler: AutoscalerModel | null;
  /** Prometheus scrape interval from a ServiceMonitor of the service, when one is in the manifests. */
  readonly scrapeIntervalSeconds: number | null;
  /** Things read but not simulated, or suspicious, to show the user. */
  readonly warnings: readonly string[];
}
