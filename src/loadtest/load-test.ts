import { ChurnError } from '../errors.js';
import { buildLoadReport, type LoadTestReport } from './load-report.js';
import { OpenLoopRunner, type RunSnapshot } from './open-loop-runner.js';
import { buildRequestPayloads, parsePayloadSpec, payloadSpecText, type PayloadSpec, type RequestPayloads } from './request-payloads.js';
import { authorizationHeaders, describeModel, parseTargetUrl } from './target-endpoints.js';
import { parseTrafficProfile } from '../traffic/traffic-profile-spec.js';
import type { TrafficProfile } from '../traffic/traffic-profile.js';

export interface LoadTestOptions {
  /** Base URL of a server or Service, e.g. http://127.0.0.1:8000 */
  url: string;
  /** A profile, or a spec for parseTrafficProfile (then `speedup` and `durationSeconds` apply). */
  profile: TrafficProfile | string;
  speedup?: number;
  durationSeconds?: number;
  payload?: PayloadSpec | string;
  connections?: number;
  apiKey?: string;
  /** Seed of the record sampling. */
  seed?: number;
  timeoutMs?: number;
  maxInFlight?: number;
  /** Seconds at the profile's starting rate before the measured run, on the same connections, counted nowhere. Default 0. */
  warmupSeconds?: number;
  /** Width of a timeline interval; by default 1 s, wider for long runs so a report stays around 600 points. */
  timelineIntervalSeconds?: number;
  /** Pre-built payloads (calibration reuses one set across steps). */
  payloads?: RequestPayloads;
  dataFile?: string;
  signal?: AbortSignal;
  /** Called once per timeline interval while the run is going. */
  onProgress?: (snapshot: RunSnapshot) => void;
}

/** Defaults of every load test, set once. */
export const loadTestDefaults = {
  connections: 32,
  payload: 'single',
  seed: 42,
  timeoutMs: 10_000, // 10 s: a response later than this is an error, not a latency
  maxInFlight: 10_000, // outstanding requests; past it arrivals are dropped and counted
  lateSendMs: 10, // a request sent this much after its scheduled time is late
  maxTimelinePoints: 600,
} as const;

function positiveInteger(value: number, name: string, max: number): number {
  if (!(Number.isInteger(value) && value >= 1 && value <= max)) throw new ChurnError('INVALID_ARGUMENT', `${name} must be an integer within 1..${max}, got ${value}`);
  return value;
}

/**
 * Runs one open-loop load test against a server and reports counts by status and error kind, latency
 * percentiles measured from scheduled send times, the generator's own lag, and the timeline.
 */
export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestReport> {
  const target = parseTargetUrl(options.url);
  const profile = typeof options.profile === 'string'
    ? parseTrafficProfile(options.profile, {
      ...(options.speedup === undefined ? {} : { speedup: options.speedup }),
      ...(options.durationSeconds === undefined ? {} : { durationSeconds: options.durationSeconds }),
    })
    : options.profile;
  const connections = positiveInteger(options.connections ?? loadTestDefaults.connections, 'connections', 10_000);
  const timeoutMs = positiveInteger(options.timeoutMs ?? loadTestDefaults.timeoutMs, 'timeout (ms)', 3_600_000);
  const maxInFlight = positiveInteger(options.maxInFlight ?? loadTestDefaults.maxInFlight, 'max in-flight', 1_000_000);
  const warmupSeconds = options.warmupSeconds ?? 0;
  if (!(warmupSeconds >= 0 && warmupSeconds <= 3600)) throw new ChurnError('INVALID_ARGUMENT', `warm-up must be within 0..3600 seconds, got ${warmupSeconds}`);
  const intervalSeconds = options.timelineIntervalSeconds
    ?? Math.max(1, Math.ceil(profile.durationSeconds / loadTestDefaults.maxTimelinePoints));
  if (!(intervalSeconds > 0)) throw new ChurnError('INVALID_ARGUMENT', `timeline interval must be positive, got ${intervalSeconds}`);
  const headers = authorizationHeaders(options.apiKey);
  const model = await describeModel(target, headers);
  const payloads = options.payloads ?? buildRequestPayloads(
    typeof options.payload === 'object' ? options.payload : parsePayloadSpec(options.payload ?? loadTestDefaults.payload),
    {
      seed: options.seed ?? loadTestDefaults.seed,
      ...(options.dataFile === undefined ? {} : { dataFile: options.dataFile }),
      // V2 requests name the model in their path: the one the target says it serves.
      ...(model === null ? {} : { model: model.name }),
    },
  );
  const startedAt = new Date();
  const outcome = await new OpenLoopRunner({
    origin: target.origin,
    path: target.prefix + payloads.path,
    bodies: payloads.bodies,
    headers,
    profile,
    connections,
    maxInFlight,
    timeoutMs,
    timelineIntervalMs: intervalSeconds * 1000,
    lateSendMs: loadTestDefaults.lateSendMs,
    warmupSeconds,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onInterval: options.onProgress }),
  }).run();
  return buildLoadReport(outcome, {
    startedAt,
    target: { url: options.url, model },
    profile: { name: profile.name, durationSeconds: profile.durationSeconds, warmupSeconds },
    payload: payloadSpecText(payloads.spec),
    connections,
    maxInFlight,
    lateThresholdMs: loadTestDefaults.lateSendMs,
    timelineIntervalSeconds: intervalSeconds,
  });
}
