import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';
import type { KubernetesObject } from './kubernetes-object.js';
import { kubernetesDirectory, loadManifestFile, overlays, renderOverlay } from './rendered-manifests.js';
import { kubectlUnavailable } from './kubectl.js';
import { findUnknownFields, schemaSets, validateAgainstOpenApi, type SchemaProblem } from './schema-validation.js';

const brokenFixture = join(packageRoot, 'test', 'fixtures', 'kubernetes', 'schema-violations.yaml');
const secretExample = join(kubernetesDirectory, 'base', 'secret.example.yaml');

function report(problems: readonly SchemaProblem[] | undefined): string {
  return (problems ?? []).map((p) => `${p.object}: ${p.message}`).join('\n');
}

// Everything the strict check looks at, so one TypeScript compilation per schema set serves all tests.
function groups(): Record<string, KubernetesObject[]> {
  const all: Record<string, KubernetesObject[]> = {
    'secret-example': loadManifestFile(secretExample),
    broken: loadManifestFile(brokenFixture).filter((o) => o.kind !== 'Frobnicator'),
  };
  for (const overlay of overlays) all[overlay] = renderOverlay(overlay);
  return all;
}

for (const set of schemaSets) {
  describe(`Kubernetes ${set.kubernetesVersion} OpenAPI schema`, { skip: kubectlUnavailable }, () => {
    let unknownFields: Record<string, SchemaProblem[]> | undefined;
    const strict = (group: string): SchemaProblem[] | undefined => {
      unknownFields ??= findUnknownFields(set, groups());
      return unknownFields[group];
    };

    for (const overlay of overlays) {
      test(`every object of overlays/${overlay} is valid`, { timeout: 30_000 }, async () => {
        assert.equal(report(await validateAgainstOpenApi(set, renderOverlay(overlay))), '');
      });

      test(`no object of overlays/${overlay} has unknown fields`, { timeout: 60_000 }, () => {
        assert.equal(report(strict(overlay)), '');
      });
    }

    test('the Secret example is valid and has no unknown fields', { timeout: 60_000 }, async () => {
      assert.equal(report(await validateAgainstOpenApi(set, loadManifestFile(secretExample))), '');
      assert.equal(report(strict('secret-example')), '');
    });

    test('the broken fixture fails: a wrong type and an unknown kind', { timeout: 30_000 }, async () => {
      const text = report(await validateAgainstOpenApi(set, loadManifestFile(brokenFixture)));
      assert.match(text, /Deployment\/wrong-types: .*replicas/);
      assert.match(text, /Frobnicator\/unknown-kind: no schema/);
    });

    test('the broken fixture fails: unknown fields at any depth', { timeout: 60_000 }, () => {
      const text = report(strict('broken'));
      assert.match(text, /Deployment\/unknown-field-at-top: .*"replica"' does not exist/);
      assert.match(text, /Deployment\/unknown-field-deep: .*"livenesProbe"' does not exist/);
      assert.match(text, /ScaledObject\/unknown-field: .*"maxReplicas"' does not exist/);
      assert.match(text, /Deployment\/wrong-types: .*not assignable/);
    });
  });
}
