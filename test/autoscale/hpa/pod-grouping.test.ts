import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupPods } from '../../../src/autoscale/hpa/pod-grouping.js';
import type { PodSnapshot } from '../../../src/autoscale/hpa/pod-snapshot.js';
import { context, now, pod } from './pod-fixtures.js';

const rules = context(1);
const summary = (pods: PodSnapshot[], cpu = true) => {
  const groups = groupPods(pods, cpu ? rules : null);
  const names = (list: readonly PodSnapshot[]) => list.map((p) => p.name);
  return { ready: groups.readyCount, unready: names(groups.unready), missing: names(groups.missing), ignored: names(groups.ignored) };
};

// The cases of TestGroupPods, restated with the production periods (300 s initialization, 30 s readiness delay).
describe('pod grouping', () => {
  it('returns nothing for no pods', () => {
    assert.deepEqual(summary([]), { ready: 0, unready: [], missing: [], ignored: [] });
  });

  it('counts a running pod with a sample as ready for non-CPU metrics regardless of its condition', () => {
    const p = { ...pod({ usage: 1, ready: null }), startTime: null };
    assert.deepEqual(summary([p], false), { ready: 1, unready: [], missing: [], ignored: [] });
  });

  it('treats a pod without a Ready condition or start time as unready for CPU', () => {
    const noCondition = pod({ usage: 1, ready: null, startedAgo: 0 });
    const noStart = { ...pod({ usage: 1 }), startTime: null };
    assert.deepEqual(summary([noCondition, noStart]), { ready: 0, unready: [noCondition.name, noStart.name], missing: [], ignored: [] });
  });

  it('within the initialization period, counts a Ready pod only with a sample taken wholly after it became Ready', () => {
    const fresh = pod({ usage: 1, startedAgo: 120, readyChangedAgo: 45, sampleWindow: 30 });
    const stale = pod({ usage: 1, startedAgo: 120, readyChangedAgo: 45, sampleWindow: 60 });
    assert.deepEqual(summary([fresh, stale]), { ready: 1, unready: [stale.name], missing: [], ignored: [] });
  });

  it('within the initialization period, treats a NotReady pod as unready', () => {
    const p = pod({ usage: 1, ready: false, startedAgo: 200, readyChangedAgo: 190 });
    assert.deepEqual(summary([p]), { ready: 0, unready: [p.name], missing: [], ignored: [] });
  });

  it('after the initialization period, counts a Ready pod whatever its sample age', () => {
    const p = pod({ usage: 1, startedAgo: 400, readyChangedAgo: 400, sampleAgo: 120, sampleWindow: 60 });
    assert.deepEqual(summary([p]), { ready: 1, unready: [], missing: [], ignored: [] });
  });

  it('after the initialization period, counts a NotReady pod that had been Ready (it went unready later)', () => {
    const p = pod({ usage: 1, ready: false, startedAgo: 900, readyChangedAgo: 800 });
    assert.deepEqual(summary([p]), { ready: 1, unready: [], missing: [], ignored: [] });
  });

  it('after the initialization period, keeps unready a pod that turned NotReady within the readiness delay', () => {
    const p = pod({ usage: 1, ready: false, startedAgo: 900, readyChangedAgo: 880 });
    assert.deepEqual(summary([p]), { ready: 0, unready: [p.name], missing: [], ignored: [] });
  });

  it('sorts a mix: missing sample, young unready, Pending, terminating and terminal', () => {
    const missing = pod({ usage: null, startedAgo: 600 });
    const young = pod({ usage: 1, ready: null, startedAgo: 0 });
    const ready = pod({ usage: 1, startedAgo: 600, readyChangedAgo: 590 });
    const pending = pod({ usage: null, phase: 'Pending', ready: false });
    const deleted = { ...pod({ usage: 1, phase: 'Pending' }), deleted: true, startTime: now };
    const failed = pod({ usage: 1, phase: 'Failed' });
    const succeeded = pod({ usage: 1, phase: 'Succeeded' });
    assert.deepEqual(summary([missing, young, ready, pending, deleted, failed, succeeded]), {
      ready: 1,
      unready: [young.name, pending.name],
      missing: [missing.name],
      ignored: [deleted.name, failed.name, succeeded.name],
    });
  });
});
