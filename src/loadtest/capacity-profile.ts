import { readFileSync, writeFileSync } from 'node:fs';
import { ChurnError } from '../errors.js';

/** One calibration step: a constant offered rate held for a while against one server process. */
export interface CapacityStep {
  offeredRps: number;
  /** 2xx responses per second. */
  achievedRps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Failed / offered, 0..1. */
  errorRate: number;
  /** Server CPU seconds per wall second over the step (1 = one core busy). */
  cpuUtilization: number;
  /** Server resident memory at the end of the step. */
  rssBytes: number;
  /** Informative (not required by readers): server CPU seconds per response in this step. */
  cpuSecondsPerRequest?: number;
  /** Informative: whether the step met the SLO and error bound. */
  withinSlo?: boolean;
}

/**
 * What one server process sustains, measured by `loadtest --calibrate` and read by the autoscaling
 * simulator. Format documented in docs/loadtest.md; readers ignore fields they do not know, and
 * `formatVersion` changes only when a field changes meaning or goes away.
 */
export interface CapacityProfile {
  format: 'churn-predictor.capacity-profile';
  formatVersion: 1;
  /** ISO 8601 time of the measurement. */
  measuredAt: string;
  target: { url: string; model: { name: string; version: string } | null };
  /** `single` or `batch:<n>`: what each request carried. */
  payload: string;
  slo: { p99Ms: number; maxErrorRate: number };
  /** The highest offered rate whose step met the SLO (0 if none did). */
  maxSustainableRps: number;
  /** Server CPU seconds per request near that rate. */
  cpuSecondsPerRequest: number;
  memory: { rssBytesIdle: number; rssBytesPeak: number };
  steps: CapacityStep[];
}

export const capacityProfileFormat = 'churn-predictor.capacity-profile';
export const capacityProfileFormatVersion = 1;

type Json = Record<string, unknown>;

class Checker {
  constructor(private readonly source: string) {}

  fail(path: string, message: string): never {
    throw new ChurnError('INVALID_CAPACITY_PROFILE', `${this.source}: ${path} ${message}`);
  }

  object(value: unknown, path: string): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'must be an object');
    return value as Json;
  }

  number(value: unknown, path: string, { min = 0, max = Number.POSITIVE_INFINITY } = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, `must be a finite number, got ${JSON.stringify(value)}`);
    if (value < min || value > max) this.fail(path, `must be within ${min}..${max}, got ${value}`);
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string' || value === '') this.fail(path, `must be a non-empty string, got ${JSON.stringify(value)}`);
    return value;
  }
}

/** Validates parsed JSON as a capacity profile; `source` names it in error messages. */
export function validateCapacityProfile(value: unknown, source = 'capacity profile'): CapacityProfile {
  const c = new Checker(source);
  const root = c.object(value, '/');
  if (root['format'] !== capacityProfileFormat) c.fail('/format', `must be "${capacityProfileFormat}", got ${JSON.stringify(root['format'])}`);
  if (root['formatVersion'] !== capacityProfileFormatVersion) {
    c.fail('/formatVersion', `must be ${capacityProfileFormatVersion} (this version reads only that), got ${JSON.stringify(root['formatVersion'])}`);
  }
  const measuredAt = c.string(root['measuredAt'], '/measuredAt');
  if (Number.isNaN(Date.parse(measuredAt))) c.fail('/measuredAt', `must be an ISO 8601 time, got "${measuredAt}"`);
  const target = c.object(root['target'], '/target');
  const url = c.string(target['url'], '/target/url');
  let model: CapacityProfile['target']['model'] = null;
  if (target['model'] !== null) {
    const m = c.object(target['model'], '/target/model');
    model = { name: c.string(m['name'], '/target/model/name'), version: c.string(m['version'], '/target/model/version') };
  }
  const payload = c.string(root['payload'], '/payload');
  if (!/^(single|batch:[1-9]\d*)$/.test(payload)) c.fail('/payload', `must be "single" or "batch:<n>", got "${payload}"`);
  const slo = c.object(root['slo'], '/slo');
  const memory = c.object(root['memory'], '/memory');
  if (!Array.isArray(root['steps']) || root['steps'].length === 0) c.fail('/steps', 'must be a non-empty array');
  const steps = (root['steps'] as unknown[]).map((raw, i): CapacityStep => {
    const s = c.object(raw, `/steps/${i}`);
    const n = (name: string, bounds?: { min?: number; max?: number }) => c.number(s[name], `/steps/${i}/${name}`, bounds);
    const step: CapacityStep = {
      offeredRps: n('offeredRps'), achievedRps: n('achievedRps'), p50Ms: n('p50Ms'), p90Ms: n('p90Ms'), p99Ms: n('p99Ms'),
      errorRate: n('errorRate', { max: 1 }), cpuUtilization: n('cpuUtilization'), rssBytes: n('rssBytes'),
    };
    if (s['cpuSecondsPerRequest'] !== undefined) step.cpuSecondsPerRequest = n('cpuSecondsPerRequest');
    if (typeof s['withinSlo'] === 'boolean') step.withinSlo = s['withinSlo'];
    return step;
  });
  const profile: CapacityProfile = {
    format: capacityProfileFormat,
    formatVersion: capacityProfileFormatVersion,
    measuredAt,
    target: { url, model },
    payload,
    slo: { p99Ms: c.number(slo['p99Ms'], '/slo/p99Ms', { min: Number.MIN_VALUE }), maxErrorRate: c.number(slo['maxErrorRate'], '/slo/maxErrorRate', { max: 1 }) },
    maxSustainableRps: c.number(root['maxSustainableRps'], '/maxSustainableRps'),
    cpuSecondsPerRequest: c.number(root['cpuSecondsPerRequest'], '/cpuSecondsPerRequest'),
    memory: { rssBytesIdle: c.number(memory['rssBytesIdle'], '/memory/rssBytesIdle'), rssBytesPeak: c.number(memory['rssBytesPeak'], '/memory/rssBytesPeak') },
    steps,
  };
  if (profile.memory.rssBytesPeak < profile.memory.rssBytesIdle) c.fail('/memory/rssBytesPeak', 'must not be below rssBytesIdle');
  return profile;
}

/** Reads and validates a capacity profile file; a missing or bad file is ChurnError INVALID_CAPACITY_PROFILE. */
export function readCapacityProfile(file: string): CapacityProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ChurnError('INVALID_CAPACITY_PROFILE', `${file}: cannot read (${(cause as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ChurnError('INVALID_CAPACITY_PROFILE', `${file}: not valid JSON (${(cause as Error).message})`);
  }
  return validateCapacityProfile(value, file);
}

export function writeCapacityProfile(file: string, profile: CapacityProfile): void {
  validateCapacityProfile(profile, 'capacity profile being written'); // never write a file our own reader rejects
  writeFileSync(file, `${JSON.stringify(profile, null, 2)}\n`);
}
