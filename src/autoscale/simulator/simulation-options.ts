import { readServerVariable, type ServerConfig } from '../../config/server-config.js';
import { ChurnError, isChurnError } from '../../errors.js';
import { controllerDefaults } from '../hpa/controller-defaults.js';
import type { ScalingSetup } from '../manifests/scaling-setup.js';

/** How long the cluster takes between the HPA's decision and a pod that serves. Seconds. */
export interface ClusterTimings {
  /** The ReplicaSet controller acting on a new spec.replicas. */
  readonly controllerDelaySeconds: number;
  /** Binding the pod to a node that has room (no node autoscaling). */
  readonly schedulingSeconds: number;
  /** Pulling the image; 0 when the node has it cached. */
  readonly imagePullSeconds: number;
  /** Creating and starting the container. */
  readonly containerStartSeconds: number;
  /** The process starting, loading and warming the model until it answers readiness. */
  readonly appStartSeconds: number;
  /** A Ready or terminating endpoint reaching kube-proxy and the load balancer. */
  readonly endpointPropagationSeconds: number;
}

/** The server's own behaviour, from its environment in the manifests (src/config/server-config.ts defaults). */
export interface ServerBehaviour {
  /** After SIGTERM: keep serving this long, then stop accepting and drain. */
  readonly shutdownDrainSeconds: number;
  /** Event-loop delay above which the server sheds with 503 and reports not ready; 0 = never sheds. */
  readonly maxEventLoopDelayMs: number;
  /** Requests waiting longer fail (only reachable when shedding is off). */
  readonly requestTimeoutMs: number;
}

export interface Slo {
  readonly p99Ms: number;
  readonly maxErrorRate: number;
}

export interface SimulationOptions {
  /** Simulation step; events fall on the next step boundary. */
  readonly stepSeconds: number;
  /** Seconds run at the profile's first rate before t = 0, so metrics and the HPA have history. */
  readonly warmupSeconds: number;
  /** Pods at the start (all old and Ready). */
  readonly initialReplicas: number;
  readonly timings: ClusterTimings;
  /** metrics-server --metric-resolution (15 s in its release manifest; 60 s binary default). */
  readonly metricsResolutionSeconds: number;
  readonly hpaSyncSeconds: number;
  /** Phase of the HPA's 15 s loop against the scrapes (they are not aligned in a cluster). */
  readonly hpaSyncOffsetSeconds: number;
  /** Prometheus scrape interval of the pods (request-rate metrics). */
  readonly prometheusScrapeSeconds: number;
  readonly controller: {
    readonly tolerance: number;
    readonly cpuInitializationPeriodSeconds: number;
    readonly initialReadinessDelaySeconds: number;
    readonly downscaleStabilizationSeconds: number;
  };
  readonly server: ServerBehaviour;
  readonly slo: Slo;
  /** Price of one pod for one hour; null to report pod-hours only. */
  readonly pricePerPodHour: number | null;
}

export const defaultTimings: ClusterTimings = Object.freeze({
  controllerDelaySeconds: 0.5,
  schedulingSeconds: 1,
  imagePullSeconds: 0,
  containerStartSeconds: 1,
  // This server loads and warms the bundled model in about a second (deploy/kubernetes/base/deployment.yaml).
  appStartSeconds: 1.5,
  endpointPropagationSeconds: 1,
});

/** A pull of a ~150 MB image at registry speeds, used by `--image-pull uncached`. */
export const uncachedImagePullSeconds = 20;

/**
 * On-demand list prices of general-purpose cloud VMs split per resource, USD: about $0.032 per vCPU-hour and
 * $0.004 per GiB-hour. Only a default for the cost column; pass the real price with --price-per-pod-hour.
 */
export function defaultPricePerPodHour(cpuRequestMillis: number | null, memoryRequestBytes: number | null): number {
  return ((cpuRequestMillis ?? 0) / 1000) * 0.032 + ((memoryRequestBytes ?? 0) / 2 ** 30) * 0.004;
}

/** A server variable from the Deployment's environment, read with the server's own parser (its default when unset). */
function serverVariable<K extends keyof ServerConfig>(env: Readonly<Record<string, string>>, name: string, field: K): ServerConfig[K] {
  try {
    return readServerVariable(env, name, field);
  } catch (error) {
    // The server would refuse to start with this value; so does the simulation, naming the variable.
    if (isChurnError(error) && error.code === 'INVALID_CONFIG') throw new ChurnError('MANIFEST_INVALID', `the Deployment's environment: ${error.message}`, [], { cause: error });
    throw error;
  }
}

/** Options from the manifests, with everything else at its default; callers override what the user gave. */
export function defaultSimulationOptions(setup: ScalingSetup, slo: Slo): SimulationOptions {
  const env = setup.deployment.env;
  const prometheusScrapeSeconds = setup.scrapeIntervalSeconds ?? 30;
  const longestRateWindow = Math.max(0, ...(setup.autoscaler?.metrics ?? []).map((m) => (m.kind === 'request-rate' ? m.rateWindowSeconds : 0)));
  return {
    stepSeconds: 0.5,
    warmupSeconds: Math.max(120, longestRateWindow + 2 * prometheusScrapeSeconds),
    initialReplicas: setup.deployment.replicas ?? setup.autoscaler?.minReplicas ?? 1,
    timings: defaultTimings,
    metricsResolutionSeconds: 15,
    hpaSyncSeconds: controllerDefaults.syncPeriodSeconds,
    hpaSyncOffsetSeconds: 7,
    prometheusScrapeSeconds,
    controller: {
      tolerance: controllerDefaults.tolerance,
      cpuInitializationPeriodSeconds: controllerDefaults.cpuInitializationPeriodSeconds,
      initialReadinessDelaySeconds: controllerDefaults.initialReadinessDelaySeconds,
      downscaleStabilizationSeconds: controllerDefaults.downscaleStabilizationSeconds,
    },
    server: {
      shutdownDrainSeconds: serverVariable(env, 'SHUTDOWN_DRAIN_SECONDS', 'shutdownDrainSeconds'),
      maxEventLoopDelayMs: serverVariable(env, 'MAX_EVENT_LOOP_DELAY_MS', 'maxEventLoopDelayMs'),
      requestTimeoutMs: serverVariable(env, 'REQUEST_TIMEOUT_MS', 'requestTimeoutMs'),
    },
    slo,
    pricePerPodHour: defaultPricePerPodHour(setup.deployment.cpuRequestMillis, setup.deployment.memoryRequestBytes),
  };
}
