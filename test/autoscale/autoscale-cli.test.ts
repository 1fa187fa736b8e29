import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { packageRoot } from '../../src/foundation/package-files.js';
import { temporaryDirectory } from '../helpers/fixtures.js';
import { productionRendered, seedDirectory } from './manifests/fixture-paths.js';
import { reportCharts } from '../reporting/report-charts.js';

const cli = join(packageRoot, 'dist/src/cli/main.js');
const work = temporaryDirectory();
after(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000, ...(input === undefined ? {} : { input }) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const failsWith = (result: ReturnType<typeof run>, code: string) => {
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr.trim(), new RegExp(`^error ${code}:`));
  assert.ok(!result.stderr.includes('    at '), 'no stack trace');
};

describe('hpa, simulate and plan commands', () => {
  it('hpa propose prints the proposal and utilization', () => {
    const pod = (name: string) => ({ name, phase: 'Running', ready: true, deleted: false, startTime: 0, readyTransitionTime: 10, request: 500, metric: { value: 1000, timestamp: 990, window: 15 } });
    const result = run(['hpa', 'propose'], JSON.stringify({ currentReplicas: 2, now: 1000, metric: { type: 'Resource', targetUtilization: 70 }, pods: [pod('a'), pod('b')] }));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { desiredReplicas: 6, utilization: 200 });
  });

  it('hpa propose fails with HPA_NO_METRICS when no pod has a sample, and HPA_INPUT_INVALID on bad JSON', () => {
    const pod = { name: 'a', phase: 'Running', ready: true, startTime: 0, readyTransitionTime: 10, request: 500, metric: null };
    failsWith(run(['hpa', 'propose'], JSON.stringify({ currentReplicas: 1, now: 1000, metric: { type: 'Resource', targetUtilization: 70 }, pods: [pod] })), 'HPA_NO_METRICS');
    failsWith(run(['hpa', 'propose'], '{not json'), 'HPA_INPUT_INVALID');
  });

  it('hpa normalize applies the legacy cap without behavior and the defaults with an empty one', () => {
    const body = { currentReplicas: 2, proposal: 6, minReplicas: 2, maxReplicas: 20, now: 100 };
    assert.deepEqual(JSON.parse(run(['hpa', 'normalize'], JSON.stringify({ ...body, behavior: null })).stdout), { desiredReplicas: 4 });
    assert.deepEqual(JSON.parse(run(['hpa', 'normalize'], JSON.stringify({ ...body, behavior: {} })).stdout), { desiredReplicas: 6 });
    const state = JSON.parse(run(['hpa', 'normalize', '--state'], JSON.stringify({ ...body, behavior: {} })).stdout) as { scaleUpEvents: unknown[] };
    assert.deepEqual(state.scaleUpEvents, [{ change: 4, time: 100, outdated: false }]);
  });

  it('simulate prints a timeline and summary, and writes JSON and HTML', () => {
    const html = join(work, 'sim.html');
    const out = join(work, 'sim.json');
    const result = run(['simulate', '--manifests', seedDirectory, '--profile', 'ramp:8:80:60', '--duration', '300', '--service-time', '54ms', '--every', '60', '--html', html, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /HorizontalPodAutoscaler churn-predictor-hpa, 2-20 replicas, no behavior/);
    assert.match(result.stdout, /scale events/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { timeline: unknown[]; summary: { peakDesiredReplicas: number } };
    assert.equal(json.timeline.length, 300);
    assert.ok(json.summary.peakDesiredReplicas > 3);
    assert.equal(reportCharts(readFileSync(html, 'utf8')).length, 5);
  });

  it('plan prints the cheapest setting and a patch that parses', () => {
    const result = run(['plan', '--manifests', productionRendered, '--profile', 'ramp:100:3000:120', '--duration', '240', '--slo', 'p99<100ms,errors<1%', '--min-ceiling', '5']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /cheapest setting that meets/);
    const patch = parse(result.stdout.split('\n---\n')[1]!) as { kind: string; spec: { minReplicaCount: number } };
    assert.equal(patch.kind, 'ScaledObject');
    assert.ok(patch.spec.minReplicaCount >= 2);
  });

  it('explains unusable manifests and options', () => {
    failsWith(run(['simulate', '--manifests', join(work, 'missing.yaml')]), 'MANIFEST_INVALID');
    failsWith(run(['simulate', '--manifests', seedDirectory, '--slo', 'p50<10ms']), 'INVALID_ARGUMENT');
    failsWith(run(['simulate', '--manifests', seedDirectory, '--service-time', 'slow']), 'INVALID_ARGUMENT');
  });
});
