import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { kubectlPath, kubectlUnavailable } from './kubectl.js';
import { objectName, type KubernetesObject } from './kubernetes-object.js';
import { kubernetesDirectory, overlays, parseManifests, renderOverlay } from './rendered-manifests.js';

const expectedKinds: Record<(typeof overlays)[number], string[]> = {
  local: [
    'ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget',
    'Service', 'ServiceAccount',
  ],
  production: [
    'ConfigMap', 'Deployment', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'PrometheusRule', 'ScaledObject', 'Service',
    'ServiceAccount', 'ServiceMonitor',
  ],
  'production-model-from-s3': [
    'ConfigMap', 'Deployment', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'PrometheusRule', 'ScaledObject', 'Service',
    'ServiceAccount', 'ServiceMonitor',
  ],
  'production-model-from-mlflow': [
    'ConfigMap', 'Deployment', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'PrometheusRule', 'ScaledObject', 'Service',
    'ServiceAccount', 'ServiceMonitor',
  ],
};

function find(objects: readonly KubernetesObject[], kind: string): KubernetesObject {
  const found = objects.find((o) => o.kind === kind);
  assert.ok(found, `no ${kind} rendered`);
  return found;
}

function configMapReference(objects: readonly KubernetesObject[]): string | undefined {
  const deployment = find(objects, 'Deployment') as IDeployment & KubernetesObject;
  return deployment.spec?.template.spec?.containers[0]?.envFrom?.[0]?.configMapRef?.name;
}

for (const overlay of overlays) {
  describe(`kubectl kustomize overlays/${overlay}`, { skip: kubectlUnavailable }, () => {
    test('renders without warnings (no deprecated kustomize fields)', { timeout: 60_000 }, () => {
      const result = spawnSync(kubectlPath(), ['kustomize', join(kubernetesDirectory, 'overlays', overlay)], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '');
    });

    test('renders exactly the expected kinds, each once', () => {
      const kinds = renderOverlay(overlay).map((o) => o.kind).sort();
      assert.deepEqual(kinds, expectedKinds[overlay]);
    });

    test('puts every namespaced object in ml-serving', () => {
      const outside = renderOverlay(overlay)
        .filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'ml-serving')
        .map(objectName);
      assert.deepEqual(outside, []);
    });

    test('the Deployment loads the generated, hash-suffixed ConfigMap', () => {
      const objects = renderOverlay(overlay);
      const name = find(objects, 'ConfigMap').metadata.name;
      assert.match(name, /^churn-predictor-config-[a-z0-9]{10}$/);
      assert.equal(configMapReference(objects), name);
    });
  });
}

describe('a configuration change rolls the Deployment', { skip: kubectlUnavailable }, () => {
  const copy = mkdtempSync(join(tmpdir(), 'churn-kustomize-'));
  after(() => rmSync(copy, { recursive: true, force: true }));

  test('editing server.env renames the ConfigMap and the reference to it', { timeout: 60_000 }, () => {
    cpSync(kubernetesDirectory, copy, { recursive: true });
    const serverEnv = join(copy, 'base', 'server.env');
    const edited = readFileSync(serverEnv, 'utf8').replace(/^LOG_LEVEL=.*$/m, 'LOG_LEVEL=debug');
    assert.match(edited, /^LOG_LEVEL=debug$/m);
    writeFileSync(serverEnv, edited);
    const result = spawnSync(kubectlPath(), ['kustomize', join(copy, 'overlays', 'production')], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const changed = parseManifests(result.stdout, 'edited copy');
    const before = configMapReference(renderOverlay('production'));
    const afterEdit = configMapReference(changed);
    assert.notEqual(afterEdit, before);
    assert.equal(afterEdit, find(changed, 'ConfigMap').metadata.name);
  });
});

describe('overlay differences', { skip: kubectlUnavailable }, () => {
  const deploymentOf = (overlay: (typeof overlays)[number]) =>
    find(renderOverlay(overlay), 'Deployment') as IDeployment & KubernetesObject;
  const serviceType = (overlay: (typeof overlays)[number]) =>
    (find(renderOverlay(overlay), 'Service') as KubernetesObject & { spec?: { type?: string } }).spec?.type;

  test('local runs the image kind loaded, without pulling, behind a NodePort', () => {
    const container = deploymentOf('local').spec?.template.spec?.containers[0];
    assert.equal(container?.image, 'churn-predictor:local');
    assert.equal(container?.imagePullPolicy, 'IfNotPresent');
    assert.equal(serviceType('local'), 'NodePort');
  });

  test('production pins the registry image, uses a LoadBalancer and scales further', () => {
    const container = deploymentOf('production').spec?.template.spec?.containers[0];
    assert.match(container?.image ?? '', /^ghcr\.io\/your-org\/churn-predictor:\d+\.\d+\.\d+$/);
    assert.equal(serviceType('production'), 'LoadBalancer');
    const scaledObject = find(renderOverlay('production'), 'ScaledObject') as KubernetesObject & {
      spec?: { maxReplicaCount?: number };
    };
    assert.ok((scaledObject.spec?.maxReplicaCount ?? 0) > 20);
  });
});

describe('deploy/kubernetes/rendered: the committed renders the simulator reads by default', { skip: kubectlUnavailable }, () => {
  test('production.yaml is what kubectl kustomize makes of overlays/production today (run `npm run render` after changing it)', () => {
    const committed = readFileSync(join(kubernetesDirectory, 'rendered', 'production.yaml'), 'utf8');
    assert.deepEqual(parseManifests(committed, 'rendered/production.yaml'), renderOverlay('production'));
  });
});
