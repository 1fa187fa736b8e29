import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import { loadServerConfig } from '../../src/config/server-config.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { parseModelLocation } from '../../src/sources/model-location.js';
import { copies, exposedPorts, parseDockerfile, user, workdir } from './dockerfile-rules.js';
import { overlays, renderOverlay } from './rendered-manifests.js';
import { kubectlUnavailable } from './kubectl.js';
import { deployments, objectsOfKind, podSpec, resolvePort } from './workloads.js';

const runtimeStage = parseDockerfile(readFileSync(join(packageRoot, 'Dockerfile'), 'utf8')).stages.at(-1);

function api(overlay: (typeof overlays)[number]): { container: IContainer; config: Record<string, string> } {
  const objects = renderOverlay(overlay);
  const container = deployments(objects)[0]?.spec?.template.spec?.containers.find((c) => c.name === 'api');
  assert.ok(container);
  const configMapName = container.envFrom?.[0]?.configMapRef?.name;
  const config = objectsOfKind<IConfigMap>(objects, 'ConfigMap').find((c) => c.metadata.name === configMapName)?.data;
  assert.ok(config, 'the api container loads the generated ConfigMap');
  return { container, config };
}

for (const overlay of overlays) {
  describe(`overlays/${overlay}: ports, probes and paths agree`, { skip: kubectlUnavailable }, () => {
    const objects = renderOverlay(overlay);

    test('PORT and GRPC_PORT are the container ports and what the image EXPOSEs; every probe uses PORT', () => {
      const { container, config } = api(overlay);
      const port = Number(config.PORT);
      const grpcPort = Number(config.GRPC_PORT);
      assert.ok(grpcPort > 0 && grpcPort !== port, 'gRPC is on, on its own port');
      assert.deepEqual(container.ports?.map((p) => [p.name, p.containerPort]), [['http', port], ['grpc', grpcPort]]);
      assert.deepEqual(runtimeStage && exposedPorts(runtimeStage), [port, grpcPort]);
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
        assert.equal(resolvePort(container, probe?.httpGet?.port), port);
      }
    });

    test('liveness is /livez, readiness and startup are /readyz', () => {
      const { container } = api(overlay);
      assert.equal(container.livenessProbe?.httpGet?.path, '/livez');
      assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
      assert.equal(container.startupProbe?.httpGet?.path, '/readyz');
    });

    test("the Service's target ports reach PORT (http) and GRPC_PORT (grpc, declared HTTP/2 cleartext)", () => {
      const { container, config } = api(overlay);
      const [service] = objectsOfKind<IService>(objects, 'Service');
      const ports = service?.spec?.ports ?? [];
      assert.deepEqual(ports.map((p) => [p.name, resolvePort(container, p.targetPort)]), [['http', Number(config.PORT)], ['grpc', Number(config.GRPC_PORT)]]);
      assert.equal(ports.find((p) => p.name === 'grpc')?.appProtocol, 'kubernetes.io/h2c');
    });

    test('the NetworkPolicy admits the serving ports, HTTP and gRPC', () => {
      const { config } = api(overlay);
      const [policy] = objectsOfKind<INetworkPolicy>(objects, 'NetworkPolicy');
      const ports = (policy?.spec?.ingress ?? []).flatMap((rule) => rule.ports ?? []).map((p) => p.port);
      assert.deepEqual(ports, [Number(config.PORT), Number(config.GRPC_PORT)]);
    });

    test('MODEL_PATH is where the Dockerfile puts the model, or a store the pod may reach; the pod runs as the image user', () => {
      const { container, config } = api(overlay);
      assert.ok(runtimeStage);
      const spec = podSpec(deployments(objects)[0] ?? assert.fail('no Deployment'));
      assert.equal(user(runtimeStage), `${spec?.securityContext?.runAsUser}:${spec?.securityContext?.runAsGroup}`);
      const modelPath = config.MODEL_PATH ?? '';
      const location = parseModelLocation(modelPath);
      if (location.kind === 'local') {
        const modelCopy = copies(runtimeStage).find((c) => c.sources.includes('models/churn'));
        const destination = join(workdir(runtimeStage) ?? '/', modelCopy?.destination ?? '');
        assert.equal(modelPath, destination);
        return;
      }
      // A downloaded model needs egress to its store, and room in /tmp (the only writable path) to land.
      const [policy] = objectsOfKind<INetworkPolicy>(objects, 'NetworkPolicy');
      const egressPorts = (policy?.spec?.egress ?? []).flatMap((rule) => rule.ports ?? []).map((p) => p.port);
      // A registry URI is resolved, and its files fetched, through the tracking server.
      const endpoint = location.kind === 'mlflow'
        ? config.MLFLOW_TRACKING_URI ?? assert.fail('a models:/ MODEL_PATH needs MLFLOW_TRACKING_URI')
        : config.AWS_ENDPOINT_URL ?? (location.kind === 's3' || location.kind === 's3-folder' ? 'https://s3.amazonaws.com' : modelPath);
      const url = new URL(endpoint);
      assert.ok(egressPorts.includes(Number(url.port || (url.protocol === 'http:' ? 80 : 443))), `egress to ${endpoint}`);
      const tmp = spec?.volumes?.find((v) => v.name === container.volumeMounts?.find((m) => m.mountPath === '/tmp')?.name);
      assert.ok(quantityBytes(String(tmp?.emptyDir?.sizeLimit ?? '')) >= 512 * 2 ** 20, 'a /tmp of at least 512 MiB for the download');
    });

    test('the ConfigMap is a configuration the server accepts', () => {
      const { config } = api(overlay);
      // The image's model path does not exist on this machine; everything else is checked as the pod would.
      const local = config.MODEL_PATH !== undefined && parseModelLocation(config.MODEL_PATH).kind === 'local';
      assert.doesNotThrow(() => loadServerConfig({ ...config, ...(local ? { MODEL_PATH: bundledModelDirectory } : {}) }));
    });
  });
}

/** A Kubernetes binary quantity (64Mi, 1Gi) in bytes; 0 when absent. */
function quantityBytes(quantity: string | undefined): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity ?? '');
  if (match === null) return 0;
  return Number(match[1]) * 2 ** ({ Ki: 10, Mi: 20, Gi: 30 }[match[2] as 'Ki' | 'Mi' | 'Gi'] ?? 0);
}

describe('overlays/production: scraping and request-rate scaling point at this Service', { skip: kubectlUnavailable }, () => {
  const objects = renderOverlay('production');
  const [service] = objectsOfKind<IService>(objects, 'Service');
  const { container } = api('production');

  test('the ServiceMonitor selects the Service and scrapes a named Service port at /metrics', () => {
    const [monitor] = objectsOfKind<IServiceMonitor>(objects, 'ServiceMonitor');
    const labels = service?.metadata?.labels ?? {};
    for (const [key, value] of Object.entries(monitor?.spec.selector.matchLabels ?? {})) assert.equal(labels[key], value);
    const endpoint = monitor?.spec.endpoints?.[0];
    assert.ok(service?.spec?.ports?.some((p) => p.name === endpoint?.port));
    assert.equal(endpoint?.path, '/metrics');
  });

  test('the scrape annotations name the container port and /metrics', () => {
    const annotations = deployments(objects)[0]?.spec?.template.metadata?.annotations ?? {};
    assert.equal(Number(annotations['prometheus.io/port']), container.ports?.[0]?.containerPort);
    assert.equal(annotations['prometheus.io/path'], '/metrics');
  });

  test("KEDA's query counts http_requests_total of this namespace and Service, and names the base HPA", () => {
    const [scaledObject] = objectsOfKind<IScaledObject>(objects, 'ScaledObject');
    const trigger = scaledObject?.spec.triggers.find((t) => t.type === 'prometheus');
    const query = String(trigger?.metadata?.query ?? '');
    assert.match(query, /^sum\(rate\(http_requests_total\{/);
    assert.ok(query.includes(`namespace="${service?.metadata?.namespace}"`));
    assert.ok(query.includes(`service="${service?.metadata?.name}"`));
    assert.match(String(trigger?.metadata?.threshold), /^\d+$/);
    assert.equal(trigger?.metricType, 'AverageValue');
    assert.ok(scaledObject?.spec.triggers.some((t) => t.type === 'cpu'), 'CPU stays as a backstop');
    assert.equal(scaledObject?.spec.advanced?.horizontalPodAutoscalerConfig?.name, 'churn-predictor-hpa');
  });
});
