import type { PodMetricSample } from '../hpa/pod-snapshot.js';
import type { DeploymentModel } from '../manifests/scaling-setup.js';
import type { ClusterTimings } from './simulation-options.js';

/** One pod of the simulation: its planned start-up milestones and its changing state. Times are seconds. */
export interface SimulatedPod {
  readonly name: string;
  readonly createdAt: number;
  /** Bound to a node; the kubelet sets status.startTime (before the image pull). */
  readonly scheduledAt: number;
  /** Containers running: phase Running from here. */
  readonly containerStartedAt: number;
  /** The process answers its readiness endpoint. */
  readonly appReadyAt: number;
  /** The startup probe's first success (containerStartedAt without one); readiness probing is gated on it. */
  readonly startedAt: number;

  ready: boolean;
  readyChangedAt: number;
  probeSuccesses: number;
  probeFailures: number;
  nextReadinessProbeAt: number;
  /** Whether the load balancer sends it new requests, and pending changes still propagating. */
  inService: boolean;
  pendingServiceChanges: { at: number; inService: boolean }[];

  deletedAt: number | null;
  /** SIGTERM (after preStop). */
  sigtermAt: number | null;
  /** The server closes its listener: SIGTERM + SHUTDOWN_DRAIN_SECONDS. */
  stopAcceptingAt: number | null;
  /** SIGKILL at the end of the grace period. */
  killAt: number | null;
  exitedAt: number | null;

  /** Requests accepted and not yet completed. */
  backlog: number;
  /** Shedding (event-loop delay above the bound): readiness fails. */
  overloaded: boolean;
  /** Cumulative CPU seconds and handled requests (http_requests_total), for the scrapers. */
  cpuSeconds: number;
  handledRequests: number;
  /** metrics-server: the last scrape point and the sample it serves. */
  lastCpuScrape: { time: number; cpuSeconds: number } | null;
  cpuSample: PodMetricSample | null;
  /** Prometheus samples of handledRequests, oldest first. */
  requestSamples: { time: number; count: number }[];
}

/** The first probe tick at or after `earliest`, on the period grid that starts with the container. */
function firstTickAtOrAfter(containerStartedAt: number, periodSeconds: number, earliest: number): number {
  const k = Math.max(0, Math.ceil((earliest - containerStartedAt) / periodSeconds - 1e-9));
  return containerStartedAt + k * periodSeconds;
}

/**
 * A new pod with its milestones planned from the cluster timings and the Deployment's probes. The startup probe
 * succeeds at its first tick after the process is ready; readiness probes tick on their own period from the
 * container start (after initialDelaySeconds), with one immediate run when the startup probe succeeds.
 */
export function createPod(name: string, createdAt: number, deployment: DeploymentModel, timings: ClusterTimings): SimulatedPod {
  const scheduledAt = createdAt + timings.schedulingSeconds;
  const containerStartedAt = scheduledAt + timings.imagePullSeconds + timings.containerStartSeconds;
  const appReadyAt = containerStartedAt + timings.appStartSeconds;
  const startup = deployment.startupProbe;
  const startedAt = startup === null
    ? containerStartedAt
    : firstTickAtOrAfter(containerStartedAt, startup.periodSeconds, Math.max(containerStartedAt + startup.initialDelaySeconds, appReadyAt));
  const readiness = deployment.readinessProbe;
  const firstReadinessProbe = readiness === null
    ? startedAt
    : Math.min(
      firstTickAtOrAfter(containerStartedAt, readiness.periodSeconds, Math.max(containerStartedAt + readiness.initialDelaySeconds, startedAt)),
      startup === null ? Number.POSITIVE_INFINITY : Math.max(startedAt, containerStartedAt + readiness.initialDelaySeconds),
    );
  return {
    name, createdAt, scheduledAt, containerStartedAt, appReadyAt, startedAt,
    ready: false,
    readyChangedAt: scheduledAt,
    probeSuccesses: 0,
    probeFailures: 0,
    nextReadinessProbeAt: firstReadinessProbe,
    inService: false,
    pendingServiceChanges: [],
    deletedAt: null, sigtermAt: null, stopAcceptingAt: null, killAt: null, exitedAt: null,
    backlog: 0,
    overloaded: false,
    cpuSeconds: 0,
    handledRequests: 0,
    lastCpuScrape: null,
    cpuSample: null,
    requestSamples: [],
  };
}

/** A pod that has been serving for long before the simulation starts. */
export function createSettledPod(name: string, at: number): SimulatedPod {
  return {
    name, createdAt: at, scheduledAt: at, containerStartedAt: at, appReadyAt: at, startedAt: at,
    ready: true, readyChangedAt: at, probeSuccesses: 1, probeFailures: 0, nextReadinessProbeAt: at,
    inService: true, pendingServiceChanges: [],
    deletedAt: null, sigtermAt: null, stopAcceptingAt: null, killAt: null, exitedAt: null,
    backlog: 0, overloaded: false, cpuSeconds: 0, handledRequests: 0, lastCpuScrape: null, cpuSample: null, requestSamples: [],
  };
}
