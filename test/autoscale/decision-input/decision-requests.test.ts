import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isChurnError } from '../../../src/errors.js';
import { readNormalizeRequest } from '../../../src/autoscale/decision-input/normalize-request.js';
import { readProposeRequest } from '../../../src/autoscale/decision-input/propose-request.js';

const invalidInput = (error: unknown) => isChurnError(error) && error.code === 'HPA_INPUT_INVALID';

describe('hpa propose input', () => {
  it('reads pods and fills the controller defaults', () => {
    const input = readProposeRequest({
      currentReplicas: 2, now: 100, metric: { type: 'Resource', targetUtilization: 70 },
      pods: [{ name: 'a', phase: 'Running', ready: true, startTime: 0, readyTransitionTime: 5, request: 500, metric: { value: 400, timestamp: 95, window: 15 } }],
    });
    assert.equal(input.cpuInitializationPeriod, 300);
    assert.equal(input.initialReadinessDelay, 30);
    assert.deepEqual(input.tolerances, { scaleUp: 0.1, scaleDown: 0.1 });
    assert.equal(input.pods[0]!.deleted, false);
  });

  it('reads External inputs without pods, and per-direction tolerances', () => {
    const input = readProposeRequest({ currentReplicas: 3, now: 0, metric: { type: 'External', targetAverageValue: 2000 }, externalValue: 9300, statusReplicas: 3, tolerances: { scaleUp: 0.05 } });
    assert.deepEqual([input.externalValue, input.statusReplicas, input.tolerances.scaleUp, input.tolerances.scaleDown], [9300, 3, 0.05, 0.1]);
  });

  it('reports every problem with its JSON Pointer', () => {
    assert.throws(() => readProposeRequest({ currentReplicas: -1, now: 'x', metric: { type: 'Memory' }, pods: [{ name: 'a', phase: 'Sleeping' }, { name: 'a', phase: 'Running', ready: true }] }), (error) => {
      assert.ok(invalidInput(error));
      const paths = (error as { details: { path: string }[] }).details.map((d) => d.path);
      for (const path of ['/currentReplicas', '/now', '/metric/type', '/pods/0/phase', '/pods/1/name']) assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
      return true;
    });
  });
});

describe('hpa normalize input', () => {
  it('tells a fresh controller (no history) from an empty history', () => {
    assert.equal(readNormalizeRequest({ currentReplicas: 2, proposal: 4, maxReplicas: 10, now: 0 }).memory.recommendations, null);
    assert.deepEqual(readNormalizeRequest({ currentReplicas: 2, proposal: 4, maxReplicas: 10, now: 0, recommendations: [] }).memory.recommendations, []);
  });

  it('reads a behavior with quantity tolerances and validates its limits', () => {
    const request = readNormalizeRequest({
      currentReplicas: 2, proposal: 4, minReplicas: 1, maxReplicas: 10, now: 0,
      behavior: { scaleUp: { policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }], tolerance: '50m' } },
      scaleUpEvents: [{ change: 2, time: -10 }],
    });
    assert.equal(request.limits.behavior?.scaleUp?.tolerance, 0.05);
    assert.deepEqual(request.memory.scaleUpEvents, [{ change: 2, time: -10, outdated: false }]);
    assert.throws(() => readNormalizeRequest({ currentReplicas: 2, proposal: 4, minReplicas: 5, maxReplicas: 3, now: 0 }), invalidInput);
    assert.throws(() => readNormalizeRequest({ currentReplicas: 2, proposal: 4, maxReplicas: 3, now: 0, behavior: { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 3600 }] } } }), invalidInput);
  });
});
