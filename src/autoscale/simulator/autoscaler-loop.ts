import type { MetricProposal } from '../hpa/metric-proposal.js';
import type { PodMetricSample, PodSnapshot } from '../hpa/pod-snapshot.js';
import { decideReplicas } from '../hpa/replica-decision.js';
import { combineProposals, proposeReplicas } from '../hpa/replica-proposal.js';
import { emptyScalingMemory, type ScalingMemory } from '../hpa/scaling-memory.js';
import { tolerancesFor } from '../hpa/tolerances.js';
import type { AutoscalerModel, DeploymentModel } from '../manifests/scaling-setup.js';
import { requestRate } from './metrics-scrapers.js';
import type { SimulatedPod } from './simulated-pod.js';
import type { SimulationOptions } from './simulation-options.js';

/** What the HPA saw at its last sync, for the timeline. */
export interface AutoscalerObservation {
  /** CPU utilization in percent of request, as in `kubectl get hpa`; null without a CPU metric or data. */
  cpuUtilization: number | null;
  /** Requests per second per pod, as the request-rate metric reports it; null without one. */
  requestRatePerPod: number | null;
}

export interface AutoscalerSync {
  readonly desiredReplicas: number;
  readonly reason: string;
  readonly observation: AutoscalerObservation;
}

function snapshot(pod: SimulatedPod, now: number, request: number | null, metric: PodMetricSample | null): PodSnapshot {
  const acknowledged = now >= pod.scheduledAt;
  return {
    name: pod.name,
    phase: now < pod.containerStartedAt ? 'Pending' : 'Running',
    ready: acknowledged ? pod.ready : null,
    deleted: pod.deletedAt !== null,
    startTime: acknowledged ? pod.scheduledAt : null,
    readyTransitionTime: acknowledged ? pod.readyChangedAt : null,
    request,
    metric,
  };
}

/**
 * The HPA controller as the simulation runs it: every sync builds the pod list and metric samples the API would
 * serve, asks the pure library for each metric's proposal and the decision, and keeps the controller's memory.
 */
export class AutoscalerLoop {
  private memory: ScalingMemory = emptyScalingMemory;

  constructor(
    private readonly autoscaler: AutoscalerModel,
    private readonly deployment: DeploymentModel,
    private readonly options: SimulationOptions,
  ) {}

  sync(pods: readonly SimulatedPod[], specReplicas: number, now: number): AutoscalerSync {
    const { controller } = this.options;
    const context = {
      currentReplicas: specReplicas,
      now,
      tolerances: tolerancesFor(this.autoscaler.behavior, controller.tolerance),
      cpuInitializationPeriod: controller.cpuInitializationPeriodSeconds,
      initialReadinessDelay: controller.initialReadinessDelaySeconds,
    };
    const listed = pods.filter((pod) => pod.exitedAt === null);
    const observation: AutoscalerObservation = { cpuUtilization: null, requestRatePerPod: null };
    const proposals: MetricProposal[] = this.autoscaler.metrics.map((metric) => {
      if (metric.kind === 'cpu-utilization') {
        const result = proposeReplicas({
          ...context,
          metric: { type: 'Resource', targetUtilization: metric.targetUtilization },
          pods: listed.map((pod) => snapshot(pod, now, this.deployment.cpuRequestMillis, pod.cpuSample)),
        });
        if (result.ok) observation.cpuUtilization = result.utilization;
        return result;
      }
      const rates = listed.map((pod) => ({ pod, sample: requestRate(pod, now, metric.rateWindowSeconds) }));
      if (metric.source === 'Pods') {
        const result = proposeReplicas({
          ...context,
          metric: { type: 'Pods', targetAverageValue: 'averageValue' in metric.target ? metric.target.averageValue : metric.target.value },
          pods: rates.map(({ pod, sample }) => snapshot(pod, now, null, sample === null ? null : { value: Math.round(sample.rate * 1000), timestamp: sample.at, window: metric.rateWindowSeconds })),
        });
        if (result.ok) observation.requestRatePerPod = result.utilization / 1000;
        return result;
      }
      // KEDA answers with the query's total; an empty result counts as 0 (ignoreNullValues).
      const total = rates.reduce((sum, { sample }) => sum + (sample?.rate ?? 0), 0);
      const statusReplicas = listed.filter((pod) => pod.deletedAt === null).length;
      const result = proposeReplicas({
        ...context,
        metric: 'averageValue' in metric.target ? { type: 'External', targetAverageValue: metric.target.averageValue } : { type: 'External', targetValue: metric.target.value },
        pods: listed.map((pod) => snapshot(pod, now, null, null)),
        externalValue: Math.round(total * 1000),
        statusReplicas,
      });
      observation.requestRatePerPod = statusReplicas > 0 ? total / statusReplicas : null;
      return result;
    });
    const decision = decideReplicas({
      limits: {
        minReplicas: this.autoscaler.minReplicas,
        maxReplicas: this.autoscaler.maxReplicas,
        behavior: this.autoscaler.behavior,
        downscaleStabilizationSeconds: controller.downscaleStabilizationSeconds,
      },
      memory: this.memory,
      currentReplicas: specReplicas,
      proposal: combineProposals(proposals, specReplicas),
      now,
    });
    this.memory = decision.memory;
    return { desiredReplicas: decision.desiredReplicas, reason: decision.reason, observation };
  }
}
