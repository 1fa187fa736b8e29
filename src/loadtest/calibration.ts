import { performance } from 'node:perf_hooks';
import { ChurnError } from '../errors.js';
import { capacityProfileFormat, capacityProfileFormatVersion, type CapacityProfile, type CapacityStep } from './capacity-profile.js';
import type { LoadTestReport } from './load-report.js';
import { runLoadTest } from './load-test.js';
import type { RunSnapshot } from './open-loop-runner.js';
import { scrapeProcessMetrics, type ProcessMetrics } from './process-metrics.js';
import { buildRequestPayloads, parsePayloadSpec, payloadSpecText, type PayloadSpec } from './request-payloads.js';
import { parseTargetUrl } from './target-endpoints.js';
import { parseTrafficProfile } from '../traffic/traffic-profile-spec.js';

export interface CalibrationOptions {
  url: string;
  payload?: PayloadSpec | string;
  apiKey?: string;
  connections?: number;
  seed?: number;
  timeoutMs?: number;
  /** The latency objective a step must meet. */
  sloP99Ms?: number;
  /** The error bound a step must meet (fraction; 0.001 = 0.1%). */
  maxErrorRate?: number;
  startRps?: number;
  /** Each step offers this many times the last passing one, until a step fails. */
  growthFactor?: number;
  stepSeconds?: number;
  /** Unmeasured load first, so JIT compilation and connection set-up are not charged to step 1. */
  warmupSeconds?: number;
  maxSteps?: number;
  /** Steps that bisect between the last passing and the first failing rate. */
  refineSteps?: number;
  maxRps?: number;
  signal?: AbortSignal;
  onStep?: (step: CalibrationStepReport) => void;
  onProgress?: (snapshot: RunSnapshot) => void;
}

export interface CalibrationStepReport extends CapacityStep {
  index: number;
  phase: 'search' | 'refine';
  /** Why the step failed, if it did. */
  failure?: string;
}

export interface CalibrationResult {
  profile: CapacityProfile;
  steps: CalibrationStepReport[];
  /** Why calibration stopped searching upwards. */
  stoppedBecause: string;
  warnings: string[];
}

/** Defaults of `loadtest --calibrate`, set once. About two minutes against a single-record server. */
export const calibrationDefaults = {
  sloP99Ms: 50,
  maxErrorRate: 0.001,
  startRps: 50,
  growthFactor: 2,
  stepSeconds: 10,
  warmupSeconds: 2,
  maxSteps: 12,
  refineSteps: 3,
  maxRps: 100_000,
} as const;

function checkPositive(value: number, name: string, { integer = false, allowZero = false } = {}): number {
  const ok = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0) && (!integer || Number.isInteger(value));
  if (!ok) throw new ChurnError('INVALID_ARGUMENT', `${name} must be a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, got ${value}`);
  return value;
}

/** Samples the server's RSS once a second during a step, so a short-lived peak is not missed. */
function rssSampler(sample: () => Promise<ProcessMetrics>, onSample: (m: ProcessMetrics) => void): () => Promise<void> {
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = sample().then(onSample, () => undefined);
  }, 1000);
  return async () => {
    clearInterval(timer);
    await pending;
  };
}

/**
 * Finds the highest rate one server process sustains within the SLO: offered rate grows geometrically until
 * a step breaks the p99 objective or the error bound, then bisects between the last good and first bad rate.
 * CPU per request and memory come from the server's own /metrics, so they are the server's, not ours.
 */
export async function calibrateCapacity(options: CalibrationOptions): Promise<CalibrationResult> {
  const d = calibrationDefaults;
  const o = {
    ...options,
    sloP99Ms: options.sloP99Ms ?? d.sloP99Ms,
    maxErrorRate: options.maxErrorRate ?? d.maxErrorRate,
    startRps: options.startRps ?? d.startRps,
    growthFactor: options.growthFactor ?? d.growthFactor,
    stepSeconds: options.stepSeconds ?? d.stepSeconds,
    warmupSeconds: options.warmupSeconds ?? d.warmupSeconds,
    maxSteps: options.maxSteps ?? d.maxSteps,
    refineSteps: options.refineSteps ?? d.refineSteps,
    maxRps: options.maxRps ?? d.maxRps,
  };
  checkPositive(o.sloP99Ms, 'the p99 objective');
  if (!(o.maxErrorRate >= 0 && o.maxErrorRate < 1)) throw new ChurnError('INVALID_ARGUMENT', `the error bound must be within [0, 1), got ${o.maxErrorRate}`);
  checkPositive(o.startRps, 'the starting rate');
  if (!(o.growthFactor > 1)) throw new ChurnError('INVALID_ARGUMENT', `the growth factor must be above 1, got ${o.growthFactor}`);
  checkPositive(o.stepSeconds, 'the step length');
  checkPositive(o.warmupSeconds, 'the warm-up length', { allowZero: true });
  checkPositive(o.maxSteps, 'the step count', { integer: true });
  checkPositive(o.refineSteps, 'the refinement step count', { integer: true, allowZero: true });
  checkPositive(o.maxRps, 'the maximum rate');

  const target = parseTargetUrl(o.url);
  const spec = typeof o.payload === 'object' ? o.payload : parsePayloadSpec(o.payload ?? 'single');
  const payloads = buildRequestPayloads(spec, { seed: o.seed ?? 42 });
  const common = {
    url: o.url, payloads,
    ...(o.apiKey === undefined ? {} : { apiKey: o.apiKey }),
    ...(o.connections === undefined ? {} : { connections: o.connections }),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  };
  const measuredAt = new Date();
  const idle = await scrapeProcessMetrics(target);
  let rssPeak = idle.rssBytes;
  const sample = async () => {
    const m = await scrapeProcessMetrics(target);
    rssPeak = Math.max(rssPeak, m.rssBytes);
    return m;
  };
  let model: CapacityProfile['target']['model'] = null;
  if (o.warmupSeconds > 0) {
    const warm = await runLoadTest({ ...common, profile: parseTrafficProfile(`constant:${o.startRps}`, { durationSeconds: o.warmupSeconds }) });
    model = warm.target.model;
  }

  const steps: CalibrationStepReport[] = [];
  const warnings: string[] = [];
  const behind: number[] = [];
  const runStep = async (rps: number, phase: CalibrationStepReport['phase']): Promise<CalibrationStepReport> => {
    const before = await sample();
    const wallBefore = performance.now();
    const stopSampling = rssSampler(sample, () => undefined);
    let report: LoadTestReport;
    try {
      report = await runLoadTest({
        ...common,
        profile: parseTrafficProfile(`constant:${rps}`, { durationSeconds: o.stepSeconds }),
        ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
      });
    } finally {
      await stopSampling();
    }
    const after = await sample();
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    model ??= report.target.model;
    const cpu = Math.max(0, after.cpuSeconds - before.cpuSeconds);
    const responses = report.latency.count;
    const failures: string[] = [];
    if (responses === 0) failures.push('no responses');
    if (report.latency.p99Ms > o.sloP99Ms) failures.push(`p99 ${report.latency.p99Ms.toFixed(1)} ms > ${o.sloP99Ms} ms`);
    if (report.errors.rate > o.maxErrorRate) failures.push(`error rate ${(report.errors.rate * 100).toFixed(2)}% > ${(o.maxErrorRate * 100).toFixed(2)}%`);
    // A lagging generator bunches its sends and its lag is in the latency: that can only make the server
    // look worse, so it is a warning, not a reason to trust a step less.
    if (!report.generator.keptUp) behind.push(rps);
    const step: CalibrationStepReport = {
      index: steps.length,
      phase,
      offeredRps: rps,
      achievedRps: report.rates.achievedRps,
      p50Ms: report.latency.p50Ms,
      p90Ms: report.latency.p90Ms,
      p99Ms: report.latency.p99Ms,
      errorRate: report.errors.rate,
      cpuUtilization: wallSeconds > 0 ? cpu / wallSeconds : 0,
      rssBytes: after.rssBytes,
      cpuSecondsPerRequest: responses > 0 ? cpu / responses : 0,
      withinSlo: failures.length === 0,
      ...(failures.length > 0 ? { failure: failures.join('; ') } : {}),
    };
    steps.push(step);
    o.onStep?.(step);
    return step;
  };

  let good: CalibrationStepReport | undefined;
  let bad: CalibrationStepReport | undefined;
  let stoppedBecause = `reached ${o.maxSteps} steps`;
  let rps = o.startRps;
  for (let i = 0; i < o.maxSteps && !o.signal?.aborted; i++) {
    const step = await runStep(rps, 'search');
    if (!step.withinSlo) {
      bad = step;
      stoppedBecause = `${rps} requests/s broke the objective: ${step.failure}`;
      break;
    }
    good = step;
    if (rps >= o.maxRps) {
      stoppedBecause = `reached the maximum rate to try, ${o.maxRps} requests/s`;
      break;
    }
    rps = Math.min(o.maxRps, Math.round(rps * o.growthFactor * 100) / 100);
  }
  // Bisect geometrically: the search grew by ratios, so halve the ratio, not the difference.
  for (let i = 0; i < o.refineSteps && good !== undefined && bad !== undefined && !o.signal?.aborted; i++) {
    const mid = Math.round(Math.sqrt(good.offeredRps * bad.offeredRps) * 100) / 100;
    if (mid <= good.offeredRps || mid >= bad.offeredRps) break;
    const step = await runStep(mid, 'refine');
    if (step.withinSlo) good = step;
    else bad = step;
  }
  if (behind.length > 0) {
    warnings.push(`the load generator fell behind at ${behind.join(', ')} requests/s; its lag counts against the server, so the capacity found is a lower bound. `
      + 'Give the generator a core of its own (taskset) for a tighter figure.');
  }
  if (good === undefined) warnings.push(`even the first step (${o.startRps} requests/s) broke the objective; try a lower --start-rps.`);
  if (o.signal?.aborted) warnings.push('calibration was stopped early.');
  // CPU per request at the highest passing rate, where fixed per-second costs weigh least; else the gentlest step.
  const basis = good ?? steps[0];
  const profile: CapacityProfile = {
    format: capacityProfileFormat,
    formatVersion: capacityProfileFormatVersion,
    measuredAt: measuredAt.toISOString(),
    target: { url: o.url, model },
    payload: payloadSpecText(spec),
    slo: { p99Ms: o.sloP99Ms, maxErrorRate: o.maxErrorRate },
    maxSustainableRps: good?.offeredRps ?? 0,
    cpuSecondsPerRequest: basis?.cpuSecondsPerRequest ?? 0,
    memory: { rssBytesIdle: idle.rssBytes, rssBytesPeak: rssPeak },
    steps: steps.map(({ index: _i, phase: _p, failure: _f, ...step }) => step),
  };
  return { profile, steps, stoppedBecause, warnings };
}
