import { ChurnError } from '../../errors.js';
import { controllerDefaults } from '../hpa/controller-defaults.js';
import type { MetricTarget, ProposalInput } from '../hpa/metric-proposal.js';
import type { PodMetricSample, PodPhase, PodSnapshot } from '../hpa/pod-snapshot.js';
import type { Tolerances } from '../hpa/tolerances.js';
import { JsonFields, pointer } from './json-fields.js';

const phases: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed'];

/** Reads `tolerance` (one number for both directions) or `tolerances: {scaleUp, scaleDown}`. */
export function readTolerances(fields: JsonFields, body: Record<string, unknown>): Tolerances {
  if (body['tolerances'] !== undefined) {
    const t = fields.object(body['tolerances'], '/tolerances');
    return {
      scaleUp: fields.number(t['scaleUp'] ?? controllerDefaults.tolerance, '/tolerances/scaleUp', { min: 0 }),
      scaleDown: fields.number(t['scaleDown'] ?? controllerDefaults.tolerance, '/tolerances/scaleDown', { min: 0 }),
    };
  }
  const tolerance = fields.optionalNumber(body['tolerance'], '/tolerance', { min: 0 }) ?? controllerDefaults.tolerance;
  return { scaleUp: tolerance, scaleDown: tolerance };
}

function readMetric(fields: JsonFields, value: unknown): MetricTarget {
  const m = fields.object(value, '/metric');
  const type = fields.oneOf(m['type'], '/metric/type', ['Resource', 'Pods', 'External'] as const);
  if (type === 'Resource') return { type, targetUtilization: fields.number(m['targetUtilization'], '/metric/targetUtilization', { min: 1, integer: true }) };
  if (type === 'Pods') return { type, targetAverageValue: fields.number(m['targetAverageValue'], '/metric/targetAverageValue', { min: 1 }) };
  if (m['targetValue'] !== undefined) return { type, targetValue: fields.number(m['targetValue'], '/metric/targetValue', { min: 1 }) };
  return { type, targetAverageValue: fields.number(m['targetAverageValue'], '/metric/targetAverageValue', { min: 1 }) };
}

function readSample(fields: JsonFields, value: unknown, path: string): PodMetricSample | null {
  if (value === null || value === undefined) return null;
  const s = fields.object(value, path);
  return {
    value: fields.number(s['value'], pointer(path, 'value'), { min: 0 }),
    timestamp: fields.number(s['timestamp'], pointer(path, 'timestamp')),
    window: fields.number(s['window'], pointer(path, 'window'), { min: 0 }),
  };
}

function readPod(fields: JsonFields, value: unknown, path: string): PodSnapshot {
  const p = fields.object(value, path);
  const nullableNumber = (key: string, options: { min?: number } = {}) =>
    p[key] === null || p[key] === undefined ? null : fields.number(p[key], pointer(path, key), options);
  return {
    name: fields.string(p['name'], pointer(path, 'name')),
    phase: fields.oneOf(p['phase'], pointer(path, 'phase'), phases),
    ready: p['ready'] === null ? null : fields.boolean(p['ready'], pointer(path, 'ready')),
    deleted: p['deleted'] === undefined ? false : fields.boolean(p['deleted'], pointer(path, 'deleted')),
    startTime: nullableNumber('startTime'),
    readyTransitionTime: nullableNumber('readyTransitionTime'),
    request: nullableNumber('request', { min: 0 }),
    metric: readSample(fields, p['metric'], pointer(path, 'metric')),
  };
}

/** Validates the JSON of `churn-predictor hpa propose`; every problem is reported at once as HPA_INPUT_INVALID. */
export function readProposeRequest(value: unknown): ProposalInput {
  const fields = new JsonFields();
  const body = fields.object(value, '');
  const metric = readMetric(fields, body['metric']);
  const podsValue = body['pods'] === undefined && metric.type === 'External' ? [] : body['pods'];
  const pods = fields.array(podsValue, '/pods').map((pod, i) => readPod(fields, pod, pointer('/pods', i)));
  const names = new Set<string>();
  pods.forEach((pod, i) => {
    if (names.has(pod.name)) fields.errors.push({ path: pointer(pointer('/pods', i), 'name'), reason: 'category', message: `duplicate pod name "${pod.name}"` });
    names.add(pod.name);
  });
  const input: ProposalInput = {
    currentReplicas: fields.number(body['currentReplicas'], '/currentReplicas', { min: 0, integer: true }),
    now: fields.number(body['now'], '/now'),
    metric,
    tolerances: readTolerances(fields, body),
    cpuInitializationPeriod: fields.optionalNumber(body['cpuInitializationPeriod'], '/cpuInitializationPeriod', { min: 0 }) ?? controllerDefaults.cpuInitializationPeriodSeconds,
    initialReadinessDelay: fields.optionalNumber(body['initialReadinessDelay'], '/initialReadinessDelay', { min: 0 }) ?? controllerDefaults.initialReadinessDelaySeconds,
    pods,
    ...(metric.type === 'External' ? {
      externalValue: fields.number(body['externalValue'], '/externalValue', { min: 0 }),
      statusReplicas: fields.optionalNumber(body['statusReplicas'], '/statusReplicas', { min: 0, integer: true }) ?? fields.number(body['currentReplicas'], '/currentReplicas'),
    } : {}),
  };
  if (fields.errors.length > 0) throw new ChurnError('HPA_INPUT_INVALID', `the proposal input has ${fields.errors.length} problem(s): ${fields.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, fields.errors);
  return input;
}
