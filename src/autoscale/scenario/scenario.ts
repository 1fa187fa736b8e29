import { ChurnError } from '../../errors.js';
import { readCapacityProfile } from '../../loadtest/capacity-profile.js';
import { parseTrafficProfile } from '../../traffic/traffic-profile-spec.js';
import type { TrafficProfile } from '../../traffic/traffic-profile.js';
import { podCapacityFromProfile } from '../capacity/capacity-from-profile.js';
import { defaultCapacityProfilePath } from '../capacity/default-capacity.js';
import type { PodCapacity } from '../capacity/pod-capacity.js';
import { readManifestObjects, type ManifestObject } from '../manifests/manifest-documents.js';
import type { ScalingSetup } from '../manifests/scaling-setup.js';
import { readScalingSetup } from '../manifests/scaling-setup-reader.js';
import { defaultSimulationOptions, uncachedImagePullSeconds, type SimulationOptions } from '../simulator/simulation-options.js';
import { durationOption, numberOption } from '../../foundation/option-values.js';
import { sloFromText } from './slo-objective.js';

/** The command-line arguments `simulate` and `plan` share, as citty hands them over (strings). */
export interface ScenarioArguments {
  manifests: string;
  deployment?: string | undefined;
  profile: string;
  speedup?: string | undefined;
  duration?: string | undefined;
  capacity?: string | undefined;
  'service-time'?: string | undefined;
  'request-rate-target'?: string | undefined;
  slo: string;
  'metrics-resolution'?: string | undefined;
  'image-pull'?: string | undefined;
  'startup-seconds'?: string | undefined;
  'scheduling-seconds'?: string | undefined;
  'initial-replicas'?: string | undefined;
  step?: string | undefined;
  warmup?: string | undefined;
  'price-per-pod-hour'?: string | undefined;
}

export interface Scenario {
  /** The manifest objects as read (for patches). */
  readonly objects: readonly ManifestObject[];
  readonly setup: ScalingSetup;
  readonly capacity: PodCapacity;
  readonly traffic: TrafficProfile;
  readonly options: SimulationOptions;
  /** What the run is made of, for the top of reports. */
  readonly notes: readonly string[];
}

function imagePullSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === 'cached') return 0;
  if (text === 'uncached') return uncachedImagePullSeconds;
  const seconds = numberOption(text, 'image-pull');
  if (seconds === undefined) throw new ChurnError('INVALID_ARGUMENT', '--image-pull must be cached, uncached or a number of seconds');
  return seconds;
}

/** Reads the manifests, capacity profile and traffic profile and settles every option of a simulation. */
export function loadScenario(args: ScenarioArguments): Scenario {
  const requestRateTarget = numberOption(args['request-rate-target'], 'request-rate-target', { min: 0.001 });
  const objects = readManifestObjects(args.manifests);
  const setup = readScalingSetup(objects, {
    ...(args.deployment === undefined ? {} : { deploymentName: args.deployment }),
    ...(requestRateTarget === undefined ? {} : { requestRateTarget }),
  });
  const profileFile = args.capacity ?? defaultCapacityProfilePath;
  const serviceTimeSeconds = durationOption(args['service-time'], 'service-time');
  const capacity = podCapacityFromProfile(readCapacityProfile(profileFile), {
    cpuLimitCores: setup.deployment.cpuLimitMillis === null ? null : setup.deployment.cpuLimitMillis / 1000,
    ...(serviceTimeSeconds === undefined ? {} : { serviceTimeSeconds }),
  });
  const duration = numberOption(args.duration, 'duration', { min: 1 });
  const traffic = parseTrafficProfile(args.profile, {
    speedup: numberOption(args.speedup, 'speedup', { min: 1e-6 }) ?? 1,
    ...(duration === undefined ? {} : { durationSeconds: duration }),
  });
  const base = defaultSimulationOptions(setup, sloFromText(args.slo));
  const pull = imagePullSeconds(args['image-pull']);
  const startup = numberOption(args['startup-seconds'], 'startup-seconds');
  const scheduling = numberOption(args['scheduling-seconds'], 'scheduling-seconds');
  const options: SimulationOptions = {
    ...base,
    stepSeconds: numberOption(args.step, 'step', { min: 0.05 }) ?? base.stepSeconds,
    warmupSeconds: numberOption(args.warmup, 'warmup') ?? base.warmupSeconds,
    initialReplicas: numberOption(args['initial-replicas'], 'initial-replicas', { min: 1, integer: true }) ?? base.initialReplicas,
    metricsResolutionSeconds: numberOption(args['metrics-resolution'], 'metrics-resolution', { min: 1 }) ?? base.metricsResolutionSeconds,
    pricePerPodHour: numberOption(args['price-per-pod-hour'], 'price-per-pod-hour') ?? base.pricePerPodHour,
    timings: {
      ...base.timings,
      ...(pull === undefined ? {} : { imagePullSeconds: pull }),
      ...(startup === undefined ? {} : { appStartSeconds: startup }),
      ...(scheduling === undefined ? {} : { schedulingSeconds: scheduling }),
    },
  };
  const scaler = setup.autoscaler;
  const notes = [
    `manifests: ${args.manifests} (Deployment ${setup.deployment.name}; ${scaler === null ? 'no autoscaler: fixed replicas' : `${scaler.kind} ${scaler.name}, ${scaler.minReplicas}-${scaler.maxReplicas} replicas, ${scaler.behavior === null ? 'no behavior (legacy rules)' : 'explicit behavior'}`})`,
    `traffic: ${traffic.name}, ${Math.round(traffic.durationSeconds)} s`,
    `capacity: ${args.capacity === undefined ? 'the bundled default profile (see docs/autoscaling.md), ' : ''}${capacity.source}; one pod saturates at ${capacity.saturationRps.toFixed(1)} requests/s, ${(capacity.cpuSecondsPerRequest * 1000).toFixed(2)} ms CPU each`,
    ...setup.warnings.map((w) => `warning: ${w}`),
  ];
  return { objects, setup, capacity, traffic, options, notes };
}
