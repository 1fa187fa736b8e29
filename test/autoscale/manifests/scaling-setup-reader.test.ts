import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isChurnError } from '../../../src/errors.js';
import { parseManifestText, readManifestObjects } from '../../../src/autoscale/manifests/manifest-documents.js';
import { rateWindowOfQuery, readScalingSetup } from '../../../src/autoscale/manifests/scaling-setup-reader.js';
import { kubectlPath, kubectlUnavailable } from '../../deploy/kubectl.js';
import { baseRendered, kustomizeOverlay, productionRendered, seedDirectory } from './fixture-paths.js';

const manifestError = (error: unknown) => isChurnError(error) && error.code === 'MANIFEST_INVALID';

describe('reading the scaling setup from manifests', () => {
  it('reads a rendered production overlay with a KEDA ScaledObject', () => {
    const setup = readScalingSetup(readManifestObjects(productionRendered));
    assert.deepEqual(setup.deployment, {
      name: 'churn-predictor',
      replicas: null,
      containerName: 'churn-predictor',
      cpuRequestMillis: 250,
      cpuLimitMillis: 1000,
      memoryRequestBytes: 256 * 1024 * 1024,
      startupProbe: { initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 30 },
      readinessProbe: { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 2 },
      preStopSleepSeconds: 5,
      terminationGracePeriodSeconds: 30,
      env: { SHUTDOWN_DRAIN_SECONDS: '5', MAX_EVENT_LOOP_DELAY_MS: '150' },
    });
    assert.equal(setup.autoscaler?.kind, 'ScaledObject');
    assert.equal(setup.autoscaler?.minReplicas, 3);
    assert.equal(setup.autoscaler?.maxReplicas, 30);
    assert.deepEqual(setup.autoscaler?.metrics, [
      { kind: 'request-rate', source: 'External', name: 'prometheus', target: { averageValue: 400_000 }, rateWindowSeconds: 60 },
      { kind: 'cpu-utilization', targetUtilization: 80 },
    ]);
    assert.deepEqual(setup.autoscaler?.behavior?.scaleDown?.policies, [{ type: 'Percent', value: 20, periodSeconds: 60 }]);
    assert.equal(setup.scrapeIntervalSeconds, 15);
  });

  it('reads an HPA with behavior, sums every container\'s request, and warns about metrics it does not simulate', () => {
    const setup = readScalingSetup(readManifestObjects(baseRendered));
    assert.equal(setup.deployment.cpuRequestMillis, 600);
    assert.equal(setup.deployment.containerName, 'api');
    assert.equal(setup.deployment.preStopSleepSeconds, 10);
    assert.equal(setup.deployment.terminationGracePeriodSeconds, 40);
    assert.equal(setup.autoscaler?.kind, 'HorizontalPodAutoscaler');
    assert.deepEqual(setup.autoscaler?.metrics, [{ kind: 'cpu-utilization', targetUtilization: 70 }]);
    assert.equal(setup.autoscaler?.behavior?.scaleDown?.tolerance, 0.05);
    assert.ok(setup.warnings.some((w) => w.includes('memory')), setup.warnings.join('\n'));
  });

  it('reads a directory of plain YAML (the seed lesson) with an HPA without behavior', () => {
    const setup = readScalingSetup(readManifestObjects(seedDirectory));
    assert.equal(setup.deployment.replicas, 3);
    assert.equal(setup.deployment.readinessProbe?.initialDelaySeconds, 20);
    assert.equal(setup.autoscaler?.behavior, null);
    assert.deepEqual([setup.autoscaler?.minReplicas, setup.autoscaler?.maxReplicas], [2, 20]);
  });

  it('renders a Kustomize directory with the real tool (the project\'s kubectl v1.33)', { skip: kubectlUnavailable }, () => {
    const saved = process.env['KUBECTL'];
    process.env['KUBECTL'] = kubectlPath();
    try {
      const setup = readScalingSetup(readManifestObjects(kustomizeOverlay));
      assert.equal(setup.autoscaler?.maxReplicas, 10, 'the overlay patch applied');
    } finally {
      if (saved === undefined) delete process.env['KUBECTL'];
      else process.env['KUBECTL'] = saved;
    }
  });

  it('says how to render a Kustomize directory when no tool can', () => {
    const saved = { kubectl: process.env['KUBECTL'], path: process.env['PATH'] };
    process.env['KUBECTL'] = '/nonexistent/kubectl';
    process.env['PATH'] = '/nonexistent';
    try {
      assert.throws(() => readManifestObjects(kustomizeOverlay), (error) => manifestError(error) && /kubectl kustomize/.test((error as Error).message));
    } finally {
      if (saved.kubectl === undefined) delete process.env['KUBECTL'];
      else process.env['KUBECTL'] = saved.kubectl;
      process.env['PATH'] = saved.path;
    }
  });

  it('takes env from an envFrom ConfigMap, with env entries winning', () => {
    const objects = parseManifestText(`
apiVersion: v1
kind: ConfigMap
metadata: {name: config-abc123}
data: {SHUTDOWN_DRAIN_SECONDS: "7", MAX_EVENT_LOOP_DELAY_MS: "100"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          envFrom: [{configMapRef: {name: config-abc123}}]
          env: [{name: MAX_EVENT_LOOP_DELAY_MS, value: "250"}]
          resources: {requests: {cpu: 100m}}
`, 'inline');
    assert.deepEqual(readScalingSetup(objects).deployment.env, { SHUTDOWN_DRAIN_SECONDS: '7', MAX_EVENT_LOOP_DELAY_MS: '250' });
  });

  it('explains a placeholder KEDA threshold and accepts --request-rate-target instead', () => {
    const text = readManifestObjects(productionRendered).map((o) => o);
    const placeholder = JSON.parse(JSON.stringify(text).replace('"400"', '"REQUEST_RATE_THRESHOLD"')) as typeof text;
    assert.throws(() => readScalingSetup(placeholder), (error) => manifestError(error) && /--request-rate-target/.test((error as Error).message));
    const setup = readScalingSetup(placeholder, { requestRateTarget: 250 });
    assert.deepEqual(setup.autoscaler?.metrics[0], { kind: 'request-rate', source: 'External', name: 'prometheus', target: { averageValue: 250_000 }, rateWindowSeconds: 60 });
  });

  it('fails clearly without a Deployment or with a CPU target and no CPU request', () => {
    assert.throws(() => readScalingSetup([]), manifestError);
    const noRequest = parseManifestText(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{name: web}]}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: 5
`, 'inline');
    assert.throws(() => readScalingSetup(noRequest), manifestError);
  });

  it('reads an autoscaling/v1 HPA\'s CPU target, and defaults an HPA without metrics to 80% CPU', () => {
    const objects = (hpa: string) => parseManifestText(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{name: web, resources: {requests: {cpu: 100m}}}]}}}
---
${hpa}`, 'inline');
    const v1 = readScalingSetup(objects('apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 4, targetCPUUtilizationPercentage: 65}'));
    assert.deepEqual(v1.autoscaler?.metrics, [{ kind: 'cpu-utilization', targetUtilization: 65 }]);
    const bare = readScalingSetup(objects('apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 4}'));
    assert.deepEqual(bare.autoscaler?.metrics, [{ kind: 'cpu-utilization', targetUtilization: 80 }]);
    assert.equal(bare.autoscaler?.minReplicas, 1);
  });

  it('reads the rate window of a PromQL query', () => {
    assert.equal(rateWindowOfQuery('sum(rate(http_requests_total[2m]))'), 120);
    assert.equal(rateWindowOfQuery('sum(http_requests_in_flight)'), null);
  });
});
