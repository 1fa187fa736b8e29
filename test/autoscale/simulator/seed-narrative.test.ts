import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podCapacityFromProfile } from '../../../src/autoscale/capacity/capacity-from-profile.js';
import { defaultCapacityProfilePath } from '../../../src/autoscale/capacity/default-capacity.js';
import { readManifestObjects } from '../../../src/autoscale/manifests/manifest-documents.js';
import { readScalingSetup } from '../../../src/autoscale/manifests/scaling-setup-reader.js';
import { defaultSimulationOptions } from '../../../src/autoscale/simulator/simulation-options.js';
import { simulate } from '../../../src/autoscale/simulator/simulation.js';
import { readCapacityProfile } from '../../../src/loadtest/capacity-profile.js';
import { seedDirectory } from '../manifests/fixture-paths.js';
import { steps } from './scenario-fixtures.js';

/**
 * The lesson's 9 AM story: 3 pods at 30% CPU, a spike to 85%, new pods serving within about three minutes. Its
 * model server is far slower than ours; solve for the service time its numbers imply and replay the spike.
 */
describe('the seed lesson\'s Monday spike, replayed', () => {
  const setup = readScalingSetup(readManifestObjects(seedDirectory));
  const request = setup.deployment.cpuRequestMillis! / 1000; // 0.5 core
  const baselineRps = 500 / 60;
  // 3 pods x 30% of 0.5 core spent on 500 requests/minute: 54 ms of CPU per request.
  const serviceSeconds = (3 * 0.3 * request) / baselineRps;
  // The same three pods at 85%.
  const spikeRps = (3 * 0.85 * request) / serviceSeconds;
  const capacity = podCapacityFromProfile(readCapacityProfile(defaultCapacityProfilePath), { serviceTimeSeconds: serviceSeconds, cpuLimitCores: 2 });
  const base = defaultSimulationOptions(setup, { p99Ms: 1000, maxErrorRate: 0.01 });
  // A Python model server takes seconds to import and load; the lesson's probes wait 20 s anyway.
  const options = { ...base, timings: { ...base.timings, appStartSeconds: 10 } };
  const spikeAt = 120;
  const result = simulate({ deployment: setup.deployment, autoscaler: setup.autoscaler, capacity, traffic: steps(600, [0, baselineRps], [spikeAt, spikeRps]), options });

  it('needs the numbers the lesson gives: 54 ms per request and about 1,400 requests/minute at the spike', () => {
    assert.ok(Math.abs(serviceSeconds - 0.054) < 1e-9);
    assert.ok(Math.abs(spikeRps * 60 - 1417) < 1);
  });

  it('runs 3 pods at about 30% CPU before the spike', () => {
    const before = result.timeline.find((r) => r.t === spikeAt - 10)!;
    assert.equal(before.readyReplicas, 3);
    assert.ok(before.hpaCpuUtilization !== null && before.hpaCpuUtilization >= 28 && before.hpaCpuUtilization <= 34, `HPA saw ${before.hpaCpuUtilization}%`);
  });

  it('sees about 85% after the spike and adds a pod that serves within three minutes', () => {
    const seen = Math.max(...result.timeline.filter((r) => r.t > spikeAt && r.t < spikeAt + 60).map((r) => r.hpaCpuUtilization ?? 0));
    assert.ok(seen >= 82 && seen <= 90, `HPA saw ${seen}%`);
    const up = result.events.find((e) => e.to > e.from)!;
    // 85/70 of 3 pods is 3.6: one more pod, not the lesson's seven.
    assert.deepEqual([up.from, up.to], [3, 4]);
    assert.ok(up.servingAt !== null && up.servingAt - spikeAt <= 180, `serving ${up.servingAt! - spikeAt} s after the spike`);
    const after = result.timeline.find((r) => r.t === spikeAt + 240)!;
    assert.ok(after.cpuUtilization! > 60 && after.cpuUtilization! < 68, `CPU afterwards ${after.cpuUtilization}%`);
  });
});
