import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { planCapacity } from '../../../src/autoscale/planner/capacity-planner.js';
import { planPatchYaml } from '../../../src/autoscale/planner/manifest-patch.js';
import { scaleUpChoices, targetChoices, withCandidate } from '../../../src/autoscale/planner/plan-candidates.js';
import { readManifestObjects } from '../../../src/autoscale/manifests/manifest-documents.js';
import { readScalingSetup } from '../../../src/autoscale/manifests/scaling-setup-reader.js';
import { baseRendered, productionRendered } from '../manifests/fixture-paths.js';
import { capacity, cpuAutoscaler, deployment, options, requestRateAutoscaler, steps } from '../simulator/scenario-fixtures.js';

describe('capacity planner', () => {
  const input = {
    deployment: deployment(),
    autoscaler: cpuAutoscaler(),
    capacity,
    traffic: steps(600, [0, 20], [120, 300]),
    options: options({ stepSeconds: 1, warmupSeconds: 60, slo: { p99Ms: 250, maxErrorRate: 0.01 } }),
    minFloor: 2,
    minCeiling: 6,
    maxCeiling: 20,
  };
  const plan = planCapacity(input);

  it('finds the cheapest setting that meets the SLO', () => {
    assert.ok(plan.best !== null, 'some setting meets the SLO');
    assert.ok(plan.best.summary.sloMet);
    const cheapestMet = Math.min(...plan.evaluated.filter((e) => e.summary.sloMet).map((e) => e.summary.podHours));
    assert.ok(plan.best.summary.podHours <= cheapestMet + 1e-9);
    assert.ok(plan.evaluated.some((e) => !e.summary.sloMet), 'some settings are too slow or too small');
  });

  it('gives maxReplicas headroom above the peak it needed', () => {
    assert.ok(plan.best!.candidate.maxReplicas >= Math.ceil(plan.best!.summary.peakDesiredReplicas * 1.5) || plan.best!.candidate.maxReplicas === input.maxCeiling);
  });

  it('varies the request-rate target when the autoscaler has one, else the CPU target', () => {
    assert.deepEqual(targetChoices(cpuAutoscaler(), 80).map((t) => t.kind), ['cpu', 'cpu', 'cpu', 'cpu', 'cpu']);
    assert.ok(targetChoices(requestRateAutoscaler(30), 80).every((t) => t.kind === 'request-rate'));
    const changed = withCandidate(requestRateAutoscaler(30), { minReplicas: 3, maxReplicas: 9, target: { kind: 'request-rate', rpsPerPod: 48 }, scaleUp: scaleUpChoices[1]! });
    assert.deepEqual(changed.metrics[0], { kind: 'request-rate', source: 'External', name: 'rate', target: { averageValue: 48_000 }, rateWindowSeconds: 60 });
    assert.deepEqual([changed.minReplicas, changed.maxReplicas], [3, 9]);
  });
});

describe('manifest patch', () => {
  it('patches a KEDA ScaledObject, repeating its triggers with the new threshold', () => {
    const objects = readManifestObjects(productionRendered);
    const autoscaler = readScalingSetup(objects).autoscaler!;
    const patch = parse(planPatchYaml(autoscaler, objects, { minReplicas: 4, maxReplicas: 18, target: { kind: 'request-rate', rpsPerPod: 350 }, scaleUp: scaleUpChoices[1]! }));
    assert.equal(patch.kind, 'ScaledObject');
    assert.equal(patch.spec.minReplicaCount, 4);
    assert.equal(patch.spec.maxReplicaCount, 18);
    assert.equal(patch.spec.triggers[0].metadata.threshold, '350');
    assert.match(patch.spec.triggers[0].metadata.query, /http_requests_total/);
    assert.equal(patch.spec.triggers[1].type, 'cpu');
    assert.deepEqual(patch.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.policies[0], { type: 'Percent', value: 300, periodSeconds: 15 });
  });

  it('patches an HPA\'s CPU target and keeps its other metrics', () => {
    const objects = readManifestObjects(baseRendered);
    const autoscaler = readScalingSetup(objects).autoscaler!;
    const patch = parse(planPatchYaml(autoscaler, objects, { minReplicas: 3, maxReplicas: 12, target: { kind: 'cpu', utilization: 60 }, scaleUp: scaleUpChoices[0]! }));
    assert.equal(patch.kind, 'HorizontalPodAutoscaler');
    assert.deepEqual(patch.spec.metrics[0].resource.target, { type: 'Utilization', averageUtilization: 60 });
    assert.equal(patch.spec.metrics[1].resource.name, 'memory');
    assert.deepEqual([patch.spec.minReplicas, patch.spec.maxReplicas], [3, 12]);
  });
});
