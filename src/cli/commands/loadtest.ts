import { writeFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import { ChurnError } from '../../errors.js';
import { calibrateCapacity, calibrationDefaults } from '../../loadtest/calibration.js';
import { writeCapacityProfile } from '../../loadtest/capacity-profile.js';
import { formatCalibration, formatCalibrationStep } from '../../loadtest/calibration-text.js';
import { htmlLoadReport } from '../../loadtest/html-report.js';
import { loadTestDefaults, runLoadTest } from '../../loadtest/load-test.js';
import { loadProgress } from '../../loadtest/progress-display.js';
import { formatLoadReport } from '../../loadtest/report-text.js';
import { evaluateSlo, parseSlo, type SloTerm } from '../../loadtest/slo.js';
import { parseTrafficProfile } from '../../traffic/traffic-profile-spec.js';
import { numberOption, seedOption } from '../../foundation/option-values.js';
import { runSafely } from '../run-safely.js';

/** Exit code when the run completed but did not meet --slo (1 stays "could not run"). */
export const sloNotMetExitCode = 2;

/** Calibration understands p99 and the error rate only: those are what the capacity profile records. */
function calibrationSlo(terms: readonly SloTerm[]): { sloP99Ms?: number; maxErrorRate?: number } {
  const out: { sloP99Ms?: number; maxErrorRate?: number } = {};
  for (const term of terms) {
    if (term.metric === 'p99Ms') out.sloP99Ms = term.limit;
    else if (term.metric === 'errorRate') out.maxErrorRate = term.limit;
    else throw new ChurnError('INVALID_ARGUMENT', `--calibrate takes p99 and errors objectives only, got "${term.text}"`);
  }
  return out;
}

/** Ctrl-C stops the run and still reports what was measured; a second one exits at once. */
function interruptible(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: finishing outstanding requests (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSigint) };
}

export const loadtestCommand = defineCommand({
  meta: { name: 'loadtest', description: 'Offer open-loop load to a server (constant, ramp, the Monday 9 AM spike or a file), or calibrate one server\'s capacity' },
  args: {
    url: { type: 'string', description: 'base URL of the server or Service', default: 'http://127.0.0.1:8000' },
    profile: { type: 'string', description: 'constant:<rps> | ramp:<from>:<to>:<seconds> | monday-9am[:<scale>] | <file.csv|file.json>', default: 'constant:100' },
    speedup: { type: 'string', description: 'time compression of monday-9am and file profiles (60: the 4-hour morning in 4 minutes)', default: '1' },
    duration: { type: 'string', description: 'run length in seconds (default: the profile\'s; 10 for constant)' },
    connections: { type: 'string', description: 'keep-alive connections', default: String(loadTestDefaults.connections) },
    warmup: { type: 'string', description: 'seconds of load at the profile\'s starting rate before the measured run, not counted (connections open, code warms up)', default: '0' },
    payload: { type: 'string', description: 'single | batch:<n> | v2:<n> (records sampled from the data set; v2 sends Open Inference Protocol requests) | drifted:<feature>=<value>[,...] (single records with those features fixed: a shifted population)', default: loadTestDefaults.payload },
    'api-key': { type: 'string', description: 'bearer token for /predict (or set LOADTEST_API_KEY, which keeps it out of ps)' },
    seed: { type: 'string', description: 'seed of the record sampling', default: String(loadTestDefaults.seed) },
    timeout: { type: 'string', description: 'per-request timeout in ms', default: String(loadTestDefaults.timeoutMs) },
    out: { type: 'string', description: 'write the report as JSON to this file' },
    html: { type: 'string', description: 'write an HTML report with charts to this file' },
    slo: { type: 'string', description: 'objectives, e.g. "p99<50ms,errors<0.1%"; exit 2 when not met (with --calibrate: the step objective)' },
    calibrate: { type: 'boolean', description: 'step the rate up against one server until the SLO breaks; report its capacity', default: false },
    'out-profile': { type: 'string', description: 'with --calibrate: write the capacity profile JSON here' },
    'start-rps': { type: 'string', description: 'with --calibrate: first step\'s rate', default: String(calibrationDefaults.startRps) },
    growth: { type: 'string', description: 'with --calibrate: rate multiplier between steps', default: String(calibrationDefaults.growthFactor) },
    'step-seconds': { type: 'string', description: 'with --calibrate: length of a step', default: String(calibrationDefaults.stepSeconds) },
    'max-steps': { type: 'string', description: 'with --calibrate: most search steps', default: String(calibrationDefaults.maxSteps) },
    'refine-steps': { type: 'string', description: 'with --calibrate: bisection steps after the break', default: String(calibrationDefaults.refineSteps) },
  },
  run: ({ args }) => runSafely(async () => {
    const apiKey = args['api-key'] ?? process.env['LOADTEST_API_KEY'];
    const connections = numberOption(args.connections, 'connections')!;
    const seed = seedOption(args.seed);
    const timeoutMs = numberOption(args.timeout, 'timeout')!;
    const slo = args.slo === undefined ? undefined : parseSlo(args.slo);
    const { signal, release } = interruptible();
    try {
      if (args.calibrate) {
        const result = await calibrateCapacity({
          url: args.url, payload: args.payload, connections, seed, timeoutMs, signal,
          ...(apiKey === undefined ? {} : { apiKey }),
          ...(slo === undefined ? {} : calibrationSlo(slo)),
          startRps: numberOption(args['start-rps'], 'start-rps')!,
          growthFactor: numberOption(args.growth, 'growth')!,
          stepSeconds: numberOption(args['step-seconds'], 'step-seconds')!,
          maxSteps: numberOption(args['max-steps'], 'max-steps')!,
          refineSteps: numberOption(args['refine-steps'], 'refine-steps')!,
          onStep: (step) => process.stderr.write(`${formatCalibrationStep(step)}\n`),
        });
        process.stdout.write(`${formatCalibration(result)}\n`);
        if (result.steps.length === 0) throw new ChurnError('TARGET_UNAVAILABLE', 'calibration stopped before its first step; no capacity profile written');
        if (args['out-profile'] !== undefined) {
          writeCapacityProfile(args['out-profile'], result.profile);
          process.stderr.write(`wrote ${args['out-profile']}\n`);
        }
        return;
      }
      const profile = parseTrafficProfile(args.profile, {
        speedup: numberOption(args.speedup, 'speedup')!,
        ...(args.duration === undefined ? {} : { durationSeconds: numberOption(args.duration, 'duration')! }),
      });
      const progress = loadProgress(profile.durationSeconds);
      const report = await runLoadTest({
        url: args.url, profile, payload: args.payload, connections, seed, signal,
        timeoutMs, warmupSeconds: numberOption(args.warmup, 'warmup')!,
        ...(apiKey === undefined ? {} : { apiKey }),
        onProgress: progress.onProgress,
      }).finally(progress.done);
      const verdict = slo === undefined ? undefined : evaluateSlo(slo, report);
      process.stdout.write(`${formatLoadReport(report, verdict)}\n`);
      if (args.out !== undefined) writeFileSync(args.out, `${JSON.stringify({ ...report, ...(verdict === undefined ? {} : { slo: verdict }) }, null, 2)}\n`);
      if (args.html !== undefined) writeFileSync(args.html, htmlLoadReport(report, verdict));
      if (verdict !== undefined && !verdict.passed) process.exitCode = sloNotMetExitCode;
    } finally {
      release();
    }
  }),
});
