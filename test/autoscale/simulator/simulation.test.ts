import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulate } from '../../../src/autoscale/simulator/simulation.js';
import { capacity, cpuAutoscaler, deployment, options, requestRateAutoscaler, steps } from './scenario-fixtures.js';

const near = (actual: number | null, expected: number, tolerance: number, what: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${what}: ${actual} not within ${tolerance} of ${expected}`);

describe('simulation', () => {
  it('serves a steady load on fixed replicas with the calibrated latency and no errors', () => {
    const result = simulate({ deployment: deployment(), autoscaler: null, capacity, traffic: steps(600, [0, 20]), options: options() });
    const s = result.summary;
    near(s.requestsOffered, 12_000, 1e-6, 'offered');
    near(s.requestsServed, 12_000, 1e-6, 'served');
    assert.equal(s.requestsShed + s.requestsFailed, 0);
    // 10 requests/s per pod: exactly the first calibration point.
    near(s.p50Ms, 5, 0.3, 'p50');
    near(s.p99Ms, 20, 1, 'p99');
    near(s.podHours, (2 * 600) / 3600, 1e-9, 'pod-hours');
    const row = result.timeline[300]!;
    assert.deepEqual([row.desiredReplicas, row.pods, row.readyReplicas], [2, 2, 2]);
    near(row.cpuUtilization, 10, 0.01, 'CPU % of request (10/s x 10 ms on a 1-core request)');
  });

  it('is deterministic', () => {
    const run = () => simulate({ deployment: deployment(), autoscaler: cpuAutoscaler(), capacity, traffic: steps(900, [0, 40], [60, 400]), options: options() });
    assert.deepEqual(run().summary, run().summary);
  });

  it('sheds beyond the event-loop bound when overloaded and never scales without an autoscaler', () => {
    const result = simulate({ deployment: deployment(), autoscaler: null, capacity, traffic: steps(300, [0, 300]), options: options() });
    assert.ok(result.summary.requestsShed > 0, 'sheds');
    assert.equal(result.summary.sloMet, false);
    // Wait stays near the 200 ms bound rather than growing without limit.
    assert.ok(result.summary.peakP99Ms! < 400, `peak p99 ${result.summary.peakP99Ms}`);
    assert.ok(result.timeline.every((r) => r.desiredReplicas === 2));
  });

  it('takes a new pod through scheduling, start-up and readiness before it gets traffic', () => {
    // CPU 80% at 2 pods (80/s each, 10 ms) against 50%: the first sync that sees it asks for ceil(1.6 * 2) = 4.
    const result = simulate({ deployment: deployment(), autoscaler: cpuAutoscaler(), capacity, traffic: steps(600, [0, 20], [60, 160]), options: options() });
    const up = result.events.find((e) => e.to > e.from)!;
    assert.equal(up.from, 2);
    assert.equal(up.to, 4);
    // Decision -> ReplicaSet 0.5 s -> scheduled 1 s -> container 1 s -> app 1.5 s -> readiness probe on its 5 s grid
    // from the container start -> endpoint 1 s: about 8 s.
    assert.ok(up.servingAt !== null && up.servingAt - up.t >= 6 && up.servingAt - up.t <= 10, `serving ${up.servingAt} after decision ${up.t}`);
    // The decision waits for a metrics-server window to show the spike and for a sync: within ~30 s.
    assert.ok(up.t >= 60 && up.t <= 95, `decided at ${up.t}`);
  });

  it('is slower with an uncached image and with metrics-server at its 60 s binary default', () => {
    const run = (overrides: Parameters<typeof options>[0]) => simulate({ deployment: deployment(), autoscaler: cpuAutoscaler(), capacity, traffic: steps(600, [0, 20], [60, 160]), options: options(overrides) });
    const base = run({});
    const uncached = run({ timings: { ...options().timings, imagePullSeconds: 20 } });
    const slowMetrics = run({ metricsResolutionSeconds: 60 });
    const firstUp = (r: typeof base) => r.events.find((e) => e.to > e.from)!;
    assert.ok(firstUp(uncached).servingAt! - firstUp(uncached).t >= firstUp(base).servingAt! - firstUp(base).t + 18);
    assert.ok(firstUp(slowMetrics).t > firstUp(base).t, `60 s resolution decided at ${firstUp(slowMetrics).t}, 15 s at ${firstUp(base).t}`);
  });

  it('scales on the request rate through an External AverageValue metric (KEDA)', () => {
    const result = simulate({ deployment: deployment(), autoscaler: requestRateAutoscaler(30), capacity, traffic: steps(600, [0, 40], [60, 240]), options: options() });
    // 240/s at 30/s per pod wants 8 pods.
    assert.equal(result.summary.finalDesiredReplicas, 8);
    assert.ok(result.timeline[result.timeline.length - 1]!.hpaRequestRatePerPod! > 25);
  });

  it('drains on scale-down: with a preStop sleep no request fails, without one the refused connections show', () => {
    const fast = { behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } };
    const traffic = steps(400, [0, 300], [120, 20]);
    const withSleep = simulate({ deployment: deployment(), autoscaler: cpuAutoscaler(fast), capacity, traffic, options: options({ initialReplicas: 8 }) });
    assert.ok(withSleep.events.some((e) => e.to < e.from), 'scaled down');
    assert.equal(withSleep.summary.requestsFailed, 0);
    const abrupt = simulate({
      deployment: deployment({ preStopSleepSeconds: 0 }), autoscaler: cpuAutoscaler(fast), capacity, traffic,
      options: options({ initialReplicas: 8, server: { shutdownDrainSeconds: 0, maxEventLoopDelayMs: 200, requestTimeoutMs: 10_000 } }),
    });
    assert.ok(abrupt.summary.requestsFailed > 0, 'connections refused while the endpoint removal propagates');
  });

  it('stays within min and max replicas', () => {
    const result = simulate({ deployment: deployment(), autoscaler: cpuAutoscaler({ minReplicas: 3, maxReplicas: 5 }), capacity, traffic: steps(600, [0, 5], [100, 2000]), options: options({ initialReplicas: 3 }) });
    assert.ok(result.timeline.every((r) => r.desiredReplicas >= 3 && r.desiredReplicas <= 5));
    assert.equal(result.summary.peakDesiredReplicas, 5);
  });
});
