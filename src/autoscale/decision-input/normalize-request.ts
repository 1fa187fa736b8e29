import { ChurnError } from '../../errors.js';
import { controllerDefaults } from '../hpa/controller-defaults.js';
import type { AutoscalerLimits } from '../hpa/replica-decision.js';
import type { ScalingBehavior, ScalingPolicy, ScalingRules, SelectPolicy } from '../hpa/scaling-behavior.js';
import type { Recommendation, ScaleEvent, ScalingMemory } from '../hpa/scaling-memory.js';
import { JsonFields, pointer } from './json-fields.js';

export interface NormalizeRequest {
  readonly limits: AutoscalerLimits;
  readonly memory: ScalingMemory;
  readonly currentReplicas: number;
  /** The metrics' combined proposal; null means the metrics failed (no scaling). */
  readonly proposal: number | null;
  readonly now: number;
}

/** A behavior tolerance may be written as a number or as a Kubernetes quantity string ("50m" = 0.05). */
function readTolerance(fields: JsonFields, value: unknown, path: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(value.trim());
    if (match === null) {
      fields.errors.push({ path, reason: 'type', message: 'must be a number or a quantity such as "50m"' });
      return null;
    }
    return Number(match[1]) / (match[2] === 'm' ? 1000 : 1);
  }
  return fields.number(value, path, { min: 0 });
}

function readRules(fields: JsonFields, value: unknown, path: string): ScalingRules | null {
  if (value === undefined || value === null) return null;
  const r = fields.object(value, path);
  const policies = r['policies'] === undefined || r['policies'] === null ? null
    : fields.array(r['policies'], pointer(path, 'policies')).map((p, i): ScalingPolicy => {
      const at = pointer(pointer(path, 'policies'), i);
      const policy = fields.object(p, at);
      return {
        type: fields.oneOf(policy['type'], pointer(at, 'type'), ['Pods', 'Percent'] as const),
        value: fields.number(policy['value'], pointer(at, 'value'), { min: 1, integer: true }),
        periodSeconds: fields.number(policy['periodSeconds'], pointer(at, 'periodSeconds'), { min: 1, max: 1800, integer: true }),
      };
    });
  return {
    stabilizationWindowSeconds: fields.optionalNumber(r['stabilizationWindowSeconds'], pointer(path, 'stabilizationWindowSeconds'), { min: 0, max: 3600, integer: true }) ?? null,
    selectPolicy: r['selectPolicy'] === undefined || r['selectPolicy'] === null ? null
      : fields.oneOf<SelectPolicy>(r['selectPolicy'], pointer(path, 'selectPolicy'), ['Max', 'Min', 'Disabled']),
    policies,
    tolerance: readTolerance(fields, r['tolerance'], pointer(path, 'tolerance')),
  };
}

/** Reads an autoscaling/v2 `behavior` object (null or absent selects the legacy path). */
export function readBehavior(fields: JsonFields, value: unknown, path: string): ScalingBehavior | null {
  if (value === undefined || value === null) return null;
  const b = fields.object(value, path);
  return { scaleUp: readRules(fields, b['scaleUp'], pointer(path, 'scaleUp')), scaleDown: readRules(fields, b['scaleDown'], pointer(path, 'scaleDown')) };
}

function readEvents(fields: JsonFields, value: unknown, path: string): ScaleEvent[] {
  if (value === undefined || value === null) return [];
  return fields.array(value, path).map((e, i) => {
    const at = pointer(path, i);
    const event = fields.object(e, at);
    return {
      change: fields.number(event['change'], pointer(at, 'change'), { min: 0, integer: true }),
      time: fields.number(event['time'], pointer(at, 'time')),
      outdated: event['outdated'] === undefined ? false : fields.boolean(event['outdated'], pointer(at, 'outdated')),
    };
  });
}

/**
 * Validates the JSON of `churn-predictor hpa normalize`. An absent `recommendations` means a controller that has
 * never seen this HPA (it starts by remembering the current count); `[]` means an empty history.
 */
export function readNormalizeRequest(value: unknown): NormalizeRequest {
  const fields = new JsonFields();
  const body = fields.object(value, '');
  const recommendations: Recommendation[] | null = body['recommendations'] === undefined || body['recommendations'] === null ? null
    : fields.array(body['recommendations'], '/recommendations').map((r, i) => {
      const at = pointer('/recommendations', i);
      const rec = fields.object(r, at);
      return { replicas: fields.number(rec['replicas'], pointer(at, 'replicas'), { min: 0, integer: true }), time: fields.number(rec['time'], pointer(at, 'time')) };
    });
  const minReplicas = fields.optionalNumber(body['minReplicas'], '/minReplicas', { min: 0, integer: true }) ?? 1;
  const maxReplicas = fields.number(body['maxReplicas'], '/maxReplicas', { min: 1, integer: true });
  if (fields.errors.length === 0 && maxReplicas < minReplicas) fields.errors.push({ path: '/maxReplicas', reason: 'range', message: 'must be at least minReplicas' });
  const request: NormalizeRequest = {
    limits: {
      minReplicas,
      maxReplicas,
      behavior: readBehavior(fields, body['behavior'], '/behavior'),
      downscaleStabilizationSeconds: fields.optionalNumber(body['downscaleStabilizationWindow'], '/downscaleStabilizationWindow', { min: 0 }) ?? controllerDefaults.downscaleStabilizationSeconds,
    },
    memory: {
      recommendations,
      scaleUpEvents: readEvents(fields, body['scaleUpEvents'], '/scaleUpEvents'),
      scaleDownEvents: readEvents(fields, body['scaleDownEvents'], '/scaleDownEvents'),
    },
    currentReplicas: fields.number(body['currentReplicas'], '/currentReplicas', { min: 0, integer: true }),
    proposal: body['proposal'] === null ? null : fields.number(body['proposal'], '/proposal', { min: 0, integer: true }),
    now: fields.number(body['now'], '/now'),
  };
  if (fields.errors.length > 0) throw new ChurnError('HPA_INPUT_INVALID', `the normalize input has ${fields.errors.length} problem(s): ${fields.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, fields.errors);
  return request;
}
