import { ChurnError } from '../../errors.js';
import type { ScalingBehavior, ScalingPolicy, ScalingRules, SelectPolicy } from '../hpa/scaling-behavior.js';
import { milliValue, parseGoDurationSeconds, parseQuantity } from './kubernetes-quantity.js';
import type { ManifestObject } from './manifest-documents.js';
import type { AutoscalerMetric, AutoscalerModel, DeploymentModel, ProbeTiming, ScalingSetup } from './scaling-setup.js';

const invalid = (message: string) => new ChurnError('MANIFEST_INVALID', message);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Json => (isObject(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const whole = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const nameOf = (o: ManifestObject) => text(obj(o['metadata'])['name']) ?? '(unnamed)';

/** The API defaults of a probe (periodSeconds 10, timeoutSeconds 1, thresholds 1 and 3). */
function probeTiming(value: unknown): ProbeTiming | null {
  if (!isObject(value)) return null;
  return {
    initialDelaySeconds: whole(value['initialDelaySeconds']) ?? 0,
    periodSeconds: whole(value['periodSeconds']) ?? 10,
    timeoutSeconds: whole(value['timeoutSeconds']) ?? 1,
    successThreshold: whole(value['successThreshold']) ?? 1,
    failureThreshold: whole(value['failureThreshold']) ?? 3,
  };
}

/** The preStop sleep: the native `sleep` action, or an exec of `sleep N` (directly or through a shell). */
function preStopSleep(container: Json): number {
  const preStop = obj(obj(container['lifecycle'])['preStop']);
  const native = whole(obj(preStop['sleep'])['seconds']);
  if (native !== undefined) return native;
  const command = list(obj(preStop['exec'])['command']).map(String).join(' ');
  const match = /(?:^|\s|;|&)sleep\s+(\d+(?:\.\d+)?)/.exec(command);
  return match === null ? 0 : Number(match[1]);
}

/** Literal environment of a container: envFrom ConfigMaps found in the manifests first, then `env` values. */
function containerEnv(container: Json, objects: readonly ManifestObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of list(container['envFrom']).filter(isObject)) {
    const mapName = text(obj(source['configMapRef'])['name']);
    const configMap = objects.find((o) => o['kind'] === 'ConfigMap' && nameOf(o) === mapName);
    const prefix = text(source['prefix']) ?? '';
    for (const [key, value] of Object.entries(obj(configMap?.['data']))) env[prefix + key] = String(value);
  }
  for (const entry of list(container['env']).filter(isObject)) {
    if (typeof entry['name'] === 'string' && entry['value'] !== undefined) env[entry['name']] = String(entry['value']);
  }
  return env;
}

function readDeployment(deployment: ManifestObject, objects: readonly ManifestObject[], warnings: string[]): DeploymentModel {
  const name = nameOf(deployment);
  const podSpec = obj(obj(obj(deployment['spec'])['template'])['spec']);
  const containers = list(podSpec['containers']).filter(isObject);
  if (containers.length === 0) throw invalid(`Deployment ${name} has no containers`);
  const main = containers.find((c) => c['name'] === name) ?? containers.find((c) => isObject(c['readinessProbe'])) ?? containers[0]!;
  // The HPA divides by the sum of every container's request, sidecars (restartable init containers) included.
  const counted = [...containers, ...list(podSpec['initContainers']).filter(isObject).filter((c) => c['restartPolicy'] === 'Always')];
  let cpuRequestMillis: number | null = 0;
  for (const container of counted) {
    const request = milliValue(obj(obj(container['resources'])['requests'])['cpu']);
    if (request === null) {
      cpuRequestMillis = null;
      warnings.push(`container ${String(container['name'])} of Deployment ${name} has no CPU request: a CPU utilization target cannot work`);
      break;
    }
    cpuRequestMillis += request;
  }
  const resources = obj(main['resources']);
  const env = containerEnv(main, objects);
  const startupProbe = probeTiming(main['startupProbe']);
  const readinessProbe = probeTiming(main['readinessProbe']);
  if (readinessProbe === null) warnings.push(`container ${String(main['name'])} has no readinessProbe: new pods get traffic as soon as the process starts`);
  return {
    name,
    replicas: whole(obj(deployment['spec'])['replicas']) ?? null,
    containerName: String(main['name']),
    cpuRequestMillis,
    cpuLimitMillis: milliValue(obj(resources['limits'])['cpu']),
    memoryRequestBytes: parseQuantity(obj(resources['requests'])['memory']),
    startupProbe,
    readinessProbe,
    preStopSleepSeconds: preStopSleep(main),
    terminationGracePeriodSeconds: whole(podSpec['terminationGracePeriodSeconds']) ?? 30,
    env,
  };
}

function readRules(value: unknown): ScalingRules | null {
  if (!isObject(value)) return null;
  const tolerance = value['tolerance'] === undefined ? null : parseQuantity(value['tolerance']);
  return {
    stabilizationWindowSeconds: whole(value['stabilizationWindowSeconds']) ?? null,
    selectPolicy: (text(value['selectPolicy']) as SelectPolicy | undefined) ?? null,
    policies: Array.isArray(value['policies'])
      ? value['policies'].filter(isObject).map((p): ScalingPolicy => ({ type: p['type'] === 'Pods' ? 'Pods' : 'Percent', value: whole(p['value']) ?? 0, periodSeconds: whole(p['periodSeconds']) ?? 15 }))
      : null,
    tolerance,
  };
}

function readBehavior(value: unknown): ScalingBehavior | null {
  if (!isObject(value)) return null;
  return { scaleUp: readRules(value['scaleUp']), scaleDown: readRules(value['scaleDown']) };
}

/** The window of the first `rate(...[w])` in a PromQL query; null when there is none. */
export function rateWindowOfQuery(query: string): number | null {
  const match = /\[(\d+(?:ms|s|m|h))\]/.exec(query);
  return match === null ? null : parseGoDurationSeconds(match[1]);
}

/** Prometheus Adapter rules commonly use rate(...[2m]); the HPA object does not say. */
const adapterRateWindowSeconds = 120;

function readHpa(hpa: ManifestObject, warnings: string[], requestRateTarget: number | undefined): AutoscalerModel {
  const spec = obj(hpa['spec']);
  const name = nameOf(hpa);
  const metrics: AutoscalerMetric[] = [];
  const specs = list(spec['metrics']).filter(isObject);
  // autoscaling/v1 has a single CPU target; the API server gives an HPA without metrics an 80% CPU target.
  const v1Target = whole(spec['targetCPUUtilizationPercentage']);
  if (specs.length === 0) metrics.push({ kind: 'cpu-utilization', targetUtilization: v1Target ?? 80 });
  for (const metric of specs) {
    const type = text(metric['type']);
    if (type === 'Resource') {
      const resource = obj(metric['resource']);
      const target = obj(resource['target']);
      if (resource['name'] === 'cpu' && target['type'] === 'Utilization' && whole(target['averageUtilization']) !== undefined) {
        metrics.push({ kind: 'cpu-utilization', targetUtilization: whole(target['averageUtilization'])! });
      } else warnings.push(`HPA ${name}: Resource metric ${String(resource['name'])} with target ${String(target['type'])} is not simulated`);
    } else if (type === 'Pods' || type === 'External') {
      const source = obj(metric[type === 'Pods' ? 'pods' : 'external']);
      const target = obj(source['target']);
      const metricName = text(obj(source['metric'])['name']) ?? '(unnamed)';
      const averageValue = milliValue(target['averageValue']);
      const value = milliValue(target['value']);
      if (averageValue !== null && requestRateTarget !== undefined && type === 'Pods') metrics.push({ kind: 'request-rate', source: type, name: metricName, target: { averageValue: Math.round(requestRateTarget * 1000) }, rateWindowSeconds: adapterRateWindowSeconds });
      else if (averageValue !== null) metrics.push({ kind: 'request-rate', source: type, name: metricName, target: { averageValue }, rateWindowSeconds: adapterRateWindowSeconds });
      else if (value !== null && type === 'External') metrics.push({ kind: 'request-rate', source: type, name: metricName, target: { value }, rateWindowSeconds: adapterRateWindowSeconds });
      else warnings.push(`HPA ${name}: ${type} metric ${metricName} has no AverageValue/Value target that the simulator supports`);
    } else {
      warnings.push(`HPA ${name}: ${String(type)} metrics are not simulated`);
    }
  }
  const maxReplicas = whole(spec['maxReplicas']);
  if (maxReplicas === undefined) throw invalid(`HorizontalPodAutoscaler ${name} has no spec.maxReplicas`);
  return { kind: 'HorizontalPodAutoscaler', name, minReplicas: whole(spec['minReplicas']) ?? 1, maxReplicas, behavior: readBehavior(spec['behavior']), metrics };
}

function readScaledObject(scaledObject: ManifestObject, warnings: string[], requestRateTarget: number | undefined): AutoscalerModel {
  const spec = obj(scaledObject['spec']);
  const name = nameOf(scaledObject);
  const metrics: AutoscalerMetric[] = [];
  for (const trigger of list(spec['triggers']).filter(isObject)) {
    const type = text(trigger['type']);
    const metadata = obj(trigger['metadata']);
    // KEDA's metricType defaults to AverageValue for scalers and to Utilization for cpu.
    const metricType = text(trigger['metricType']) ?? text(metadata['type']) ?? (type === 'cpu' ? 'Utilization' : 'AverageValue');
    if (type === 'prometheus') {
      const threshold = requestRateTarget === undefined ? milliValue(metadata['threshold']) : Math.round(requestRateTarget * 1000);
      const query = text(metadata['query']) ?? '';
      if (threshold === null) {
        throw invalid(`ScaledObject ${name}: the prometheus trigger's threshold ${JSON.stringify(metadata['threshold'])} is not a number; `
          + 'set it, or give the requests per second per pod with --request-rate-target');
      }
      const rateWindowSeconds = rateWindowOfQuery(query) ?? 60;
      metrics.push({ kind: 'request-rate', source: 'External', name: text(trigger['name']) ?? 'prometheus', target: metricType === 'Value' ? { value: threshold } : { averageValue: threshold }, rateWindowSeconds });
    } else if (type === 'cpu' && metricType === 'Utilization') {
      const value = Number(metadata['value']);
      if (!Number.isFinite(value)) throw invalid(`ScaledObject ${name}: the cpu trigger has no numeric value`);
      metrics.push({ kind: 'cpu-utilization', targetUtilization: value });
    } else {
      warnings.push(`ScaledObject ${name}: ${String(type)} trigger (${metricType}) is not simulated`);
    }
  }
  const minReplicaCount = whole(spec['minReplicaCount']) ?? 0;
  if (minReplicaCount === 0) warnings.push(`ScaledObject ${name}: minReplicaCount 0 (scale to zero) is simulated as a minimum of 1`);
  return {
    kind: 'ScaledObject',
    name,
    // KEDA gives its HPA a minimum of at least 1 and handles 0 <-> 1 itself.
    minReplicas: Math.max(1, minReplicaCount),
    maxReplicas: whole(spec['maxReplicaCount']) ?? 100,
    behavior: readBehavior(obj(obj(spec['advanced'])['horizontalPodAutoscalerConfig'])['behavior']),
    metrics,
  };
}

const targets = (o: ManifestObject, deployment: string) => {
  const ref = obj(obj(o['spec'])['scaleTargetRef']);
  return ref['name'] === deployment && (ref['kind'] === undefined || ref['kind'] === 'Deployment');
};

/**
 * Picks the Deployment (by name, or the only one) and whatever scales it: a KEDA ScaledObject, else an
 * autoscaling/v2 HPA. With both, the cluster would run two HPAs on the same pods and the controller would refuse
 * (AmbiguousSelector); the ScaledObject is simulated and a warning says so. `requestRateTarget` (requests per
 * second per pod) replaces the target of request-rate metrics, e.g. a KEDA threshold still left as a placeholder.
 */
export function readScalingSetup(objects: readonly ManifestObject[], options: { readonly deploymentName?: string; readonly requestRateTarget?: number } = {}): ScalingSetup {
  const { deploymentName, requestRateTarget } = options;
  const warnings: string[] = [];
  const deployments = objects.filter((o) => o['kind'] === 'Deployment');
  const deployment = deploymentName === undefined
    ? (deployments.length === 1 ? deployments[0] : deployments.find((d) => nameOf(d) === 'churn-predictor'))
    : deployments.find((d) => nameOf(d) === deploymentName);
  if (deployment === undefined) {
    throw invalid(deploymentName === undefined
      ? `expected one Deployment (or one named churn-predictor), found ${deployments.length}: ${deployments.map(nameOf).join(', ') || 'none'}`
      : `no Deployment named ${deploymentName} (found: ${deployments.map(nameOf).join(', ') || 'none'})`);
  }
  const model = readDeployment(deployment, objects, warnings);
  const hpas = objects.filter((o) => o['kind'] === 'HorizontalPodAutoscaler' && String(o['apiVersion'] ?? '').startsWith('autoscaling/') && targets(o, model.name));
  const scaledObjects = objects.filter((o) => o['kind'] === 'ScaledObject' && targets(o, model.name));
  if (scaledObjects.length > 0 && hpas.length > 0) {
    warnings.push(`both ScaledObject ${nameOf(scaledObjects[0]!)} and HPA ${nameOf(hpas[0]!)} target ${model.name}: in a cluster the two HPAs would conflict; simulating the ScaledObject`);
  }
  let autoscaler: AutoscalerModel | null = null;
  if (scaledObjects.length > 0) autoscaler = readScaledObject(scaledObjects[0]!, warnings, requestRateTarget);
  else if (hpas.length > 0) autoscaler = readHpa(hpas[0]!, warnings, requestRateTarget);
  if (autoscaler !== null && autoscaler.metrics.length === 0) throw invalid(`${autoscaler.kind} ${autoscaler.name} has no metric the simulator supports`);
  if (autoscaler !== null && autoscaler.metrics.some((m) => m.kind === 'cpu-utilization') && model.cpuRequestMillis === null) {
    throw invalid(`${autoscaler.kind} ${autoscaler.name} scales on CPU utilization but Deployment ${model.name} sets no CPU request`);
  }
  const monitor = objects.find((o) => o['kind'] === 'ServiceMonitor' || o['kind'] === 'PodMonitor');
  const endpoints = monitor === undefined ? [] : list(obj(monitor['spec'])[monitor['kind'] === 'PodMonitor' ? 'podMetricsEndpoints' : 'endpoints']).filter(isObject);
  const scrapeIntervalSeconds = endpoints.length > 0 ? parseGoDurationSeconds(endpoints[0]!['interval']) : null;
  if (model.preStopSleepSeconds >= model.terminationGracePeriodSeconds) {
    warnings.push(`preStop sleep (${model.preStopSleepSeconds} s) uses the whole terminationGracePeriodSeconds (${model.terminationGracePeriodSeconds} s): in-flight requests are killed`);
  }
  return { deployment: model, autoscaler, scrapeIntervalSeconds, warnings };
}
