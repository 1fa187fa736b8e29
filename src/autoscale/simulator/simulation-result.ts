/** One second of the simulated run (t = seconds from the start of the traffic profile). Rates are per second. */
export interface TimelineRow {
  t: number;
  offeredRps: number;
  /** Completed with 2xx. */
  servedRps: number;
  /** 503 from the server's load shedding. */
  shedRps: number;
  /** No Ready endpoint, connection refused by a draining pod, timed out, or killed in flight. */
  failedRps: number;
  /** The Deployment's spec.replicas as the HPA set it. */
  desiredReplicas: number;
  /** Pods that exist (Pending, Running or terminating). */
  pods: number;
  /** Pods the load balancer sends requests to. */
  readyReplicas: number;
  /** Actual CPU of the running pods, percent of their request. */
  cpuUtilization: number | null;
  /** CPU utilization at the HPA's last sync, as `kubectl get hpa` shows it. */
  hpaCpuUtilization: number | null;
  /** Requests per second per pod at the HPA's last sync (request-rate metric). */
  hpaRequestRatePerPod: number | null;
  /** Latency of the requests accepted in this second. */
  p50Ms: number | null;
  p99Ms: number | null;
  withinSlo: boolean;
}

export interface ScaleEventRecord {
  t: number;
  from: number;
  to: number;
  reason: string;
  /** For a scale-up: when the load balancer first had `to` pods (null if it never did). */
  servingAt: number | null;
}

export interface SimulationSummary {
  durationSeconds: number;
  requestsOffered: number;
  requestsServed: number;
  requestsShed: number;
  requestsFailed: number;
  /** (shed + failed) / offered. */
  errorRate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  peakP99Ms: number | null;
  /** Seconds whose p99 or error rate broke the SLO. */
  secondsAboveSlo: number;
  /** From the first second that broke the SLO until a full minute met it again; 0 if none broke it. */
  timeToSettleSeconds: number | null;
  podHours: number;
  cost: number | null;
  peakDesiredReplicas: number;
  finalDesiredReplicas: number;
  /** Whether the run as a whole met the SLO (overall p99 and error rate). */
  sloMet: boolean;
}

export interface SimulationResult {
  timeline: TimelineRow[];
  events: ScaleEventRecord[];
  summary: SimulationSummary;
}
