import type { TrafficProfile } from '../../traffic/traffic-profile.js';
import type { PodCapacity } from '../capacity/pod-capacity.js';
import type { AutoscalerModel, DeploymentModel } from '../manifests/scaling-setup.js';
import { AutoscalerLoop, type AutoscalerObservation } from './autoscaler-loop.js';
import { scrapeCpu, scrapeRequests } from './metrics-scrapers.js';
import { flowThroughPod, type StepOutcome } from './pod-traffic.js';
import { deletionOrder } from './replica-set.js';
import { createPod, createSettledPod, type SimulatedPod } from './simulated-pod.js';
import type { SimulationOptions } from './simulation-options.js';
import type { ScaleEventRecord, SimulationResult } from './simulation-result.js';
import { TimelineRecorder } from './timeline-recorder.js';

export interface SimulationInput {
  readonly deployment: DeploymentModel;
  /** null: a fixed number of replicas (no autoscaler). */
  readonly autoscaler: AutoscalerModel | null;
  readonly capacity: PodCapacity;
  readonly traffic: TrafficProfile;
  readonly options: SimulationOptions;
}

const epsilon = 1e-9;

/** The next multiple of `period` (plus `phase`) at or after `t`. */
const nextOnGrid = (t: number, period: number, phase = 0) => phase + Math.ceil((t - phase) / period - epsilon) * period;

/**
 * Runs the cluster second by second (in steps of `options.stepSeconds`): traffic split round-robin over the pods
 * the load balancer knows, each pod a single-threaded queue that sheds beyond its event-loop bound; metrics-server
 * and Prometheus scraping; the HPA every sync period with the controller's own algorithm; the ReplicaSet
 * creating and deleting pods, which start through scheduling, image pull, start-up and probes, and stop through
 * preStop, SIGTERM, the server's drain and the grace period. Deterministic: the same input gives the same result.
 */
export function simulate(input: SimulationInput): SimulationResult {
  const { deployment, autoscaler, capacity, traffic, options } = input;
  const dt = options.stepSeconds;
  const start = -options.warmupSeconds;
  const end = traffic.durationSeconds;
  const { timings, server } = options;
  const readiness = deployment.readinessProbe;

  const pods: SimulatedPod[] = [];
  let serial = 0;
  const nextName = () => `${deployment.name}-${(++serial).toString(36).padStart(5, '0')}`;
  for (let i = 0; i < options.initialReplicas; i++) {
    const pod = createSettledPod(nextName(), start - 3600);
    // Probe workers of long-running pods tick on unrelated phases.
    if (readiness !== null) pod.nextReadinessProbeAt = start + ((i * 3) % readiness.periodSeconds);
    pods.push(pod);
  }
  let specReplicas = options.initialReplicas;
  const loop = autoscaler === null ? null : new AutoscalerLoop(autoscaler, deployment, options);
  let observation: AutoscalerObservation = { cpuUtilization: null, requestRatePerPod: null };
  const replicaSetSyncs: number[] = [];
  const events: ScaleEventRecord[] = [];
  const recorder = new TimelineRecorder(options.slo);
  const keepSamplesSeconds = Math.max(300, ...(autoscaler?.metrics ?? []).map((m) => (m.kind === 'request-rate' ? m.rateWindowSeconds : 0))) + 2 * options.prometheusScrapeSeconds;

  let nextCpuScrape = nextOnGrid(start, options.metricsResolutionSeconds);
  // Prometheus scrapes on its own phase, a little after metrics-server.
  let nextRequestScrape = nextOnGrid(start, options.prometheusScrapeSeconds, 2);
  let nextSync = start + options.hpaSyncOffsetSeconds;
  let failedInFlight = 0;

  const setReady = (pod: SimulatedPod, ready: boolean, t: number) => {
    pod.ready = ready;
    pod.readyChangedAt = t;
    pod.pendingServiceChanges.push({ at: t + timings.endpointPropagationSeconds, inService: ready });
  };

  const advancePod = (pod: SimulatedPod, t: number) => {
    while (pod.pendingServiceChanges.length > 0 && pod.pendingServiceChanges[0]!.at <= t + epsilon) pod.inService = pod.pendingServiceChanges.shift()!.inService;
    if (pod.deletedAt !== null) {
      if (pod.killAt !== null && t >= pod.killAt - epsilon) {
        failedInFlight += pod.backlog;
        pod.backlog = 0;
        pod.exitedAt = t;
      } else if (pod.stopAcceptingAt !== null && t >= pod.stopAcceptingAt - epsilon && pod.backlog <= epsilon) {
        pod.exitedAt = t;
      }
      return;
    }
    if (t < pod.nextReadinessProbeAt - epsilon || t < pod.containerStartedAt - epsilon) return;
    if (readiness === null) {
      if (!pod.ready && t >= pod.startedAt - epsilon) setReady(pod, true, t);
      pod.nextReadinessProbeAt = Number.POSITIVE_INFINITY;
      return;
    }
    // The readiness endpoint fails while the process is not up or while it sheds load.
    const success = t >= pod.startedAt - epsilon && t >= pod.appReadyAt - epsilon && !pod.overloaded;
    if (success) {
      pod.probeSuccesses++;
      pod.probeFailures = 0;
      if (!pod.ready && pod.probeSuccesses >= readiness.successThreshold) setReady(pod, true, t);
    } else {
      pod.probeFailures++;
      pod.probeSuccesses = 0;
      if (pod.ready && pod.probeFailures >= readiness.failureThreshold) setReady(pod, false, t);
    }
    pod.nextReadinessProbeAt += readiness.periodSeconds;
  };

  const deletePod = (pod: SimulatedPod, t: number) => {
    pod.deletedAt = t;
    if (t < pod.appReadyAt) {
      pod.exitedAt = t; // nothing to drain: the process never served
      return;
    }
    // The endpoint turns terminating at once and leaves the load balancer after propagation.
    pod.pendingServiceChanges.push({ at: t + timings.endpointPropagationSeconds, inService: false });
    const grace = deployment.terminationGracePeriodSeconds;
    const preStop = Math.min(deployment.preStopSleepSeconds, grace);
    pod.sigtermAt = t + preStop;
    pod.stopAcceptingAt = pod.sigtermAt + server.shutdownDrainSeconds;
    // A preStop hook that outlives the grace period gets a one-time 2 s extension before SIGKILL.
    pod.killAt = t + (deployment.preStopSleepSeconds >= grace ? grace + 2 : grace);
  };

  const reconcileReplicaSet = (t: number) => {
    const active = pods.filter((pod) => pod.deletedAt === null && pod.exitedAt === null);
    const missing = specReplicas - active.length;
    for (let i = 0; i < missing; i++) pods.push(createPod(nextName(), t, deployment, timings));
    if (missing < 0) for (const pod of deletionOrder(active, t).slice(0, -missing)) deletePod(pod, t);
  };

  const steps = Math.round((end - start) / dt);
  for (let i = 0; i < steps; i++) {
    const t = start + i * dt;
    for (const pod of pods) if (pod.exitedAt === null) advancePod(pod, t);
    while (nextCpuScrape <= t + epsilon) {
      scrapeCpu(pods, t, options.metricsResolutionSeconds);
      nextCpuScrape += options.metricsResolutionSeconds;
    }
    while (nextRequestScrape <= t + epsilon) {
      scrapeRequests(pods, t, keepSamplesSeconds);
      nextRequestScrape += options.prometheusScrapeSeconds;
    }
    while (nextSync <= t + epsilon) {
      if (loop !== null) {
        const sync = loop.sync(pods, specReplicas, t);
        observation = sync.observation;
        if (sync.desiredReplicas !== specReplicas) {
          if (t >= 0) events.push({ t, from: specReplicas, to: sync.desiredReplicas, reason: sync.reason, servingAt: null });
          specReplicas = sync.desiredReplicas;
          replicaSetSyncs.push(t + timings.controllerDelaySeconds);
        }
      }
      nextSync += options.hpaSyncSeconds;
    }
    while (replicaSetSyncs.length > 0 && replicaSetSyncs[0]! <= t + epsilon) {
      replicaSetSyncs.shift();
      reconcileReplicaSet(t);
    }

    // Traffic: the rate at the middle of the step, split evenly over the pods the load balancer knows.
    const offered = Math.max(0, traffic.rateAt(Math.min(Math.max(t + dt / 2, 0), end))) * dt;
    const serving = pods.filter((pod) => pod.inService && pod.exitedAt === null);
    const outcomes: StepOutcome[] = [];
    let cpuBusy = 0;
    let cpuCapacity = 0;
    for (const pod of pods) {
      if (pod.exitedAt !== null) continue;
      const arrivals = pod.inService ? offered / serving.length : 0;
      const cpuBefore = pod.cpuSeconds;
      outcomes.push(flowThroughPod(pod, arrivals, t, dt, capacity, server));
      if (pod.deletedAt === null && t >= pod.containerStartedAt) {
        cpuBusy += pod.cpuSeconds - cpuBefore;
        cpuCapacity += ((deployment.cpuRequestMillis ?? 1000) / 1000) * dt;
      }
    }
    const unrouted = serving.length === 0 ? offered : 0;
    const killed = failedInFlight;
    failedInFlight = 0;
    if (t >= -epsilon) {
      const scheduled = pods.filter((pod) => pod.exitedAt === null && t >= pod.scheduledAt).length;
      recorder.step(t, dt, offered, outcomes, unrouted + killed, { busy: cpuBusy, capacity: cpuCapacity }, scheduled, {
        desiredReplicas: specReplicas,
        pods: pods.filter((pod) => pod.exitedAt === null).length,
        readyReplicas: serving.length,
        hpaCpuUtilization: observation.cpuUtilization,
        hpaRequestRatePerPod: observation.requestRatePerPod,
      });
    }
    // Exited pods are gone from the API; keep the list short on long runs.
    if (i % 64 === 0) for (let j = pods.length - 1; j >= 0; j--) if (pods[j]!.exitedAt !== null) pods.splice(j, 1);
  }
  const summary = recorder.finish(events, traffic.durationSeconds, options.pricePerPodHour);
  return { timeline: recorder.rows, events, summary };
}
