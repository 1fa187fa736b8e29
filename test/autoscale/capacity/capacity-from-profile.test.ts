import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { podCapacityFromProfile } from '../../../src/autoscale/capacity/capacity-from-profile.js';
import { defaultCapacityProfilePath } from '../../../src/autoscale/capacity/default-capacity.js';
import { latencyAt } from '../../../src/autoscale/capacity/pod-capacity.js';
import { readCapacityProfile, type CapacityProfile } from '../../../src/loadtest/capacity-profile.js';
import { packageRoot } from '../../../src/foundation/package-files.js';

const step = (offeredRps: number, achievedRps: number, p50Ms: number, p99Ms: number) =>
  ({ offeredRps, achievedRps, p50Ms, p90Ms: p99Ms, p99Ms, errorRate: 0, cpuUtilization: achievedRps * 0.002, rssBytes: 1e8 });

const profile = (steps: CapacityProfile['steps'], cpuSecondsPerRequest = 0.002): CapacityProfile => ({
  format: 'churn-predictor.capacity-profile', formatVersion: 1, measuredAt: '2026-01-01T00:00:00Z',
  target: { url: 'http://127.0.0.1:8000', model: null }, payload: 'single', slo: { p99Ms: 50, maxErrorRate: 0.001 },
  maxSustainableRps: 300, cpuSecondsPerRequest, memory: { rssBytesIdle: 1e8, rssBytesPeak: 1e8 }, steps,
});

describe('pod capacity from a calibration profile', () => {
  it('takes the best achieved rate as saturation when a step fell behind', () => {
    const capacity = podCapacityFromProfile(profile([step(100, 100, 2, 5), step(300, 300, 4, 20), step(600, 420, 200, 400)]));
    assert.equal(capacity.saturationRps, 420);
    assert.deepEqual(capacity.curve.map((p) => p.rps), [100, 300]);
  });

  it('estimates saturation from one core over the CPU per request when no step fell behind', () => {
    const capacity = podCapacityFromProfile(profile([step(100, 100, 2, 5), step(200, 200, 3, 8)]));
    assert.equal(capacity.saturationRps, 500);
    assert.match(capacity.source, /estimated/);
  });

  it('interpolates between points and grows towards saturation past the last one', () => {
    const capacity = podCapacityFromProfile(profile([step(100, 100, 2, 5), step(300, 300, 4, 20), step(600, 420, 200, 400)]));
    assert.deepEqual(latencyAt(capacity, 50), { p50Ms: 2, p99Ms: 5 });
    assert.deepEqual(latencyAt(capacity, 200), { p50Ms: 3, p99Ms: 12.5 });
    const near = latencyAt(capacity, 400);
    assert.ok(near.p99Ms > 20 && near.p50Ms > 4, JSON.stringify(near));
  });

  it('models a heavier model as M/D/1 queueing on top of the measured overhead', () => {
    const capacity = podCapacityFromProfile(profile([step(100, 100, 3, 6), step(300, 300, 4, 20), step(600, 400, 200, 400)]), { serviceTimeSeconds: 0.05 });
    assert.equal(capacity.saturationRps, 20);
    assert.equal(capacity.cpuSecondsPerRequest, 0.05);
    // At 5% utilization: the 0.5 ms / 3.5 ms of overhead (first point minus the 2.5 ms measured service) plus 50 ms,
    // and for p99 the 5% who wait: ln(0.05 / 0.01) * 50 ms / (2 * 0.95).
    const first = capacity.curve[0]!;
    assert.ok(Math.abs(first.rps - 1) < 1e-9 && Math.abs(first.p50Ms - 50.5) < 1e-9, JSON.stringify(first));
    assert.ok(Math.abs(first.p99Ms - (53.5 + (Math.log(5) * 50) / 1.9)) < 1e-6, JSON.stringify(first));
    // At 50%: the median waits ln(0.5/0.5) = 0; p99 waits ln(0.5/0.01) * 50 ms / (2 * 0.5) = 196 ms.
    const half = capacity.curve[9]!;
    assert.ok(Math.abs(half.rps - 10) < 1e-9 && Math.abs(half.p50Ms - 50.5) < 1e-9 && Math.abs(half.p99Ms - (53.5 + Math.log(50) * 50)) < 1e-6, JSON.stringify(half));
  });

  it('throttles a pod whose CPU limit is below what saturation needs', () => {
    const capacity = podCapacityFromProfile(profile([step(100, 100, 2, 5), step(200, 200, 3, 8)]), { cpuLimitCores: 0.5 });
    assert.equal(capacity.saturationRps, 250);
    assert.match(capacity.source, /throttled/);
  });

  it('reads a real `loadtest --calibrate` output (this server, on the contended development machine)', () => {
    const file = join(packageRoot, 'test', 'fixtures', 'autoscale', 'calibration-contended-machine.json');
    const capacity = podCapacityFromProfile(readCapacityProfile(file));
    // No step fell behind, so saturation is one core over the measured CPU per request.
    assert.ok(Math.abs(capacity.saturationRps - 1 / 0.0004157679259830379) < 1e-6);
    assert.ok(capacity.curve.length >= 3);
  });

  it('reads the bundled default profile', () => {
    const capacity = podCapacityFromProfile(readCapacityProfile(defaultCapacityProfilePath), { cpuLimitCores: 1 });
    assert.ok(capacity.saturationRps > 4000 && capacity.saturationRps < 6000, `${capacity.saturationRps}`);
  });
});
