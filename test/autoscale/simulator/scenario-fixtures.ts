import type { TrafficProfile } from '../../../src/traffic/traffic-profile.js';
import type { PodCapacity } from '../../../src/autoscale/capacity/pod-capacity.js';
import type { AutoscalerModel, DeploymentModel } from '../../../src/autoscale/manifests/scaling-setup.js';
import { defaultTimings, type SimulationOptions } from '../../../src/autoscale/simulator/simulation-options.js';

/** A server of 100 requests/s per pod, 10 ms CPU each, 5 ms p50 and 20 ms p99 when lightly loaded. */
export const capacity: PodCapacity = {
  saturationRps: 100,
  cpuSecondsPerRequest: 0.01,
  maxSustainableRps: 80,
  idleCpuCores: 0,
  startupCpuCores: 1,
  curve: [{ rps: 10, p50Ms: 5, p99Ms: 20 }, { rps: 80, p50Ms: 15, p99Ms: 60 }],
  source: 'test capacity',
};

export const deployment = (overrides: Partial<DeploymentModel> = {}): DeploymentModel => ({
  name: 'web',
  replicas: null,
  containerName: 'web',
  cpuRequestMillis: 1000,
  cpuLimitMillis: null,
  memoryRequestBytes: null,
  startupProbe: null,
  readinessProbe: { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
  preStopSleepSeconds: 5,
  terminationGracePeriodSeconds: 30,
  env: {},
  ...overrides,
});

export const cpuAutoscaler = (overrides: Partial<AutoscalerModel> = {}): AutoscalerModel => ({
  kind: 'HorizontalPodAutoscaler',
  name: 'web',
  minReplicas: 2,
  maxReplicas: 20,
  behavior: {},
  metrics: [{ kind: 'cpu-utilization', targetUtilization: 50 }],
  ...overrides,
});

export const requestRateAutoscaler = (rpsPerPod: number, overrides: Partial<AutoscalerModel> = {}): AutoscalerModel => ({
  kind: 'ScaledObject',
  name: 'web',
  minReplicas: 2,
  maxReplicas: 20,
  behavior: {},
  metrics: [{ kind: 'request-rate', source: 'External', name: 'rate', target: { averageValue: rpsPerPod * 1000 }, rateWindowSeconds: 60 }],
  ...overrides,
});

export const options = (overrides: Partial<SimulationOptions> = {}): SimulationOptions => ({
  stepSeconds: 0.5,
  warmupSeconds: 120,
  initialReplicas: 2,
  timings: defaultTimings,
  metricsResolutionSeconds: 15,
  hpaSyncSeconds: 15,
  hpaSyncOffsetSeconds: 7,
  prometheusScrapeSeconds: 15,
  controller: { tolerance: 0.1, cpuInitializationPeriodSeconds: 300, initialReadinessDelaySeconds: 30, downscaleStabilizationSeconds: 300 },
  server: { shutdownDrainSeconds: 5, maxEventLoopDelayMs: 200, requestTimeoutMs: 10_000 },
  slo: { p99Ms: 100, maxErrorRate: 0.001 },
  pricePerPodHour: 0.05,
  ...overrides,
});

/** Piecewise-constant traffic: `[from second, requests per second]` steps. */
export function steps(durationSeconds: number, ...levels: [number, number][]): TrafficProfile {
  return {
    name: `steps ${levels.map(([t, r]) => `${t}s:${r}/s`).join(' ')}`,
    durationSeconds,
    rateAt: (t) => {
      let rate = levels[0]?.[1] ?? 0;
      for (const [from, r] of levels) if (t >= from) rate = r;
      return rate;
    },
  };
}
