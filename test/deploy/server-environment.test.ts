import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { serverEnvironmentVariables } from '../../src/config/server-config.js';
import type { KubernetesObject } from './kubernetes-object.js';
import { kubectlUnavailable } from './kubectl.js';
import { kubernetesDirectory, loadManifestFile, overlays, renderOverlay } from './rendered-manifests.js';
import { deployments, objectsOfKind } from './workloads.js';

const serverEnvFile = join(kubernetesDirectory, 'base', 'server.env');

/** Variables server.env names in `# NAME=` comment lines: documented as deliberately left unset. */
function deliberatelyUnset(): string[] {
  return [...readFileSync(serverEnvFile, 'utf8').matchAll(/^#\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? '');
}

interface Injected {
  name: string;
  from: 'configMap' | 'secret' | 'literal' | 'other';
}

/** Every variable the api container receives, and where it comes from. */
function injectedVariables(overlay: (typeof overlays)[number]): Injected[] {
  const objects = renderOverlay(overlay);
  const [deployment] = deployments(objects);
  const container = deployment?.spec?.template.spec?.containers.find((c) => c.name === 'api');
  assert.ok(container, 'the Deployment has an api container');
  const configMaps = objectsOfKind<IConfigMap>(objects, 'ConfigMap');
  const injected: Injected[] = [];
  for (const source of container.envFrom ?? []) {
    assert.ok(source.configMapRef, 'envFrom only loads ConfigMaps (secrets are named one by one)');
    const configMap = configMaps.find((c) => c.metadata.name === source.configMapRef?.name);
    assert.ok(configMap, `ConfigMap ${source.configMapRef.name} is rendered`);
    for (const name of Object.keys(configMap.data ?? {})) injected.push({ name, from: 'configMap' });
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom?.secretKeyRef ? 'secret' : variable.value !== undefined ? 'literal' : 'other';
    injected.push({ name: variable.name, from });
  }
  return injected;
}

const serverNames = new Set(serverEnvironmentVariables.map((v) => v.name));

for (const overlay of overlays) {
  describe(`overlays/${overlay}: the Deployment's environment matches the server's config schema`, { skip: kubectlUnavailable }, () => {
    test('every injected variable is one the server reads', () => {
      const unknown = injectedVariables(overlay).filter((v) => !serverNames.has(v.name)).map((v) => v.name);
      assert.deepEqual(unknown, [], 'variables the server ignores (typo, or removed from server-config.ts)');
    });

    test('every server variable is set, defaulted by the server, or documented as deliberately unset', () => {
      const injected = new Set(injectedVariables(overlay).map((v) => v.name));
      const unset = new Set(deliberatelyUnset());
      const uncovered = serverEnvironmentVariables
        .filter((v) => !injected.has(v.name) && v.default === undefined && !unset.has(v.name))
        .map((v) => v.name);
      assert.deepEqual(uncovered, [], `set these, or document them as "# NAME=" in ${serverEnvFile}`);
    });

    test('secrets come from the Secret, everything else from the ConfigMap', () => {
      const misplaced = injectedVariables(overlay)
        .filter((v) => serverNames.has(v.name))
        .filter((v) => {
          const secret = serverEnvironmentVariables.find((s) => s.name === v.name)?.secret === true;
          return secret ? v.from !== 'secret' : v.from !== 'configMap';
        })
        .map((v) => `${v.name} (${v.from})`);
      assert.deepEqual(misplaced, []);
    });

    test('no variable is injected twice', () => {
      const names = injectedVariables(overlay).map((v) => v.name);
      assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
    });
  });
}

test('secret.example.yaml holds exactly the server\'s secret variables, and every overlay injects them from that Secret by name', { skip: kubectlUnavailable }, () => {
  const [secret] = loadManifestFile(join(kubernetesDirectory, 'base', 'secret.example.yaml')) as (KubernetesObject & { stringData?: Record<string, string> })[];
  const secretNames = serverEnvironmentVariables.filter((v) => v.secret).map((v) => v.name).sort();
  assert.deepEqual(Object.keys(secret?.stringData ?? {}).sort(), secretNames);
  for (const overlay of overlays) {
    const container = deployments(renderOverlay(overlay))[0]?.spec?.template.spec?.containers.find((c) => c.name === 'api');
    for (const variable of container?.env ?? []) {
      const reference = variable.valueFrom?.secretKeyRef;
      if (reference === undefined) continue;
      assert.deepEqual([reference.name, reference.key], [secret?.metadata.name, variable.name], `${overlay}: ${variable.name}`);
    }
  }
});

test('variables documented as deliberately unset are server variables and really unset', { skip: kubectlUnavailable }, () => {
  const injected = new Set(injectedVariables('production').map((v) => v.name));
  for (const name of deliberatelyUnset()) {
    assert.ok(serverNames.has(name), `${name} is not a server variable`);
    assert.ok(!injected.has(name), `${name} is documented as unset but injected`);
  }
});
