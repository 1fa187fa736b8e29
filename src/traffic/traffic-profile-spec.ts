import { existsSync } from 'node:fs';
import { ChurnError } from '../errors.js';
import { mondayMorningPoints } from './monday-profile.js';
import { piecewiseLinearProfile } from './piecewise-linear-profile.js';
import { readProfileFile } from './profile-file.js';
import type { TrafficProfile, TrafficProfileOptions } from './traffic-profile.js';

/** Run length of a `constant:<rps>` profile when no duration is given. */
export const defaultConstantDurationSeconds = 10;

const invalid = (message: string) => new ChurnError('INVALID_PROFILE', message);

function positiveNumber(text: string | undefined, what: string, spec: string, allowZero = false): number {
  const value = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalid(`profile "${spec}": ${what} must be a ${allowZero ? 'non-negative' : 'positive'} number, got "${text ?? ''}"`);
  }
  return value;
}

function checkedOptions(options: TrafficProfileOptions): { speedup: number; durationSeconds: number | undefined } {
  const speedup = options.speedup ?? 1;
  if (!(Number.isFinite(speedup) && speedup > 0)) throw invalid(`speedup must be a positive number, got ${speedup}`);
  const durationSeconds = options.durationSeconds;
  if (durationSeconds !== undefined && !(Number.isFinite(durationSeconds) && durationSeconds > 0)) {
    throw invalid(`duration must be a positive number of seconds, got ${durationSeconds}`);
  }
  return { speedup, durationSeconds };
}

/** A profile clipped or extended to `durationSeconds`, holding its final rate past its own end. */
function withDuration(profile: TrafficProfile, durationSeconds: number | undefined): TrafficProfile {
  if (durationSeconds === undefined || durationSeconds === profile.durationSeconds) return profile;
  const end = profile.durationSeconds;
  return {
    name: profile.name,
    durationSeconds,
    rateAt: (t) => profile.rateAt(Math.min(t, end)),
  };
}

/**
 * Parses `constant:<rps>`, `ramp:<from>:<to>:<seconds>`, `monday-9am[:<scale>]`, or a path to a CSV/JSON
 * file of (seconds, requests per minute) points. Bad specs throw ChurnError INVALID_PROFILE.
 */
export function parseTrafficProfile(spec: string, options: TrafficProfileOptions = {}): TrafficProfile {
  const { speedup, durationSeconds } = checkedOptions(options);
  const [kind, ...parts] = spec.split(':');
  if (kind === 'constant') {
    if (parts.length !== 1) throw invalid(`profile "${spec}": expected constant:<requests per second>`);
    const rps = positiveNumber(parts[0], 'the rate', spec, true);
    return { name: spec, durationSeconds: durationSeconds ?? defaultConstantDurationSeconds, rateAt: () => rps };
  }
  if (kind === 'ramp') {
    if (parts.length !== 3) throw invalid(`profile "${spec}": expected ramp:<from rps>:<to rps>:<seconds>`);
    const from = positiveNumber(parts[0], 'the starting rate', spec, true);
    const to = positiveNumber(parts[1], 'the final rate', spec, true);
    const seconds = positiveNumber(parts[2], 'the ramp length', spec);
    const ramp: TrafficProfile = { name: spec, durationSeconds: seconds, rateAt: (t) => from + (to - from) * Math.min(1, Math.max(0, t / seconds)) };
    return withDuration(ramp, durationSeconds);
  }
  if (kind === 'monday-9am') {
    if (parts.length > 1) throw invalid(`profile "${spec}": expected monday-9am or monday-9am:<scale>`);
    const scale = parts.length === 1 ? positiveNumber(parts[0], 'the scale', spec) : 1;
    return withDuration(piecewiseLinearProfile(spec, mondayMorningPoints, { speedup, scale }), durationSeconds);
  }
  // Anything else must name a file; say so plainly rather than "file not found" for a mistyped kind.
  if (!existsSync(spec)) {
    throw invalid(`profile "${spec}" is neither constant:<rps>, ramp:<from>:<to>:<seconds>, monday-9am[:<scale>] nor an existing CSV/JSON file`);
  }
  return withDuration(piecewiseLinearProfile(spec, readProfileFile(spec), { speedup, scale: 1 }), durationSeconds);
}
