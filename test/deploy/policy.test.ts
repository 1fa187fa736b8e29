import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';
import { policyChecks, violations } from './policy-checks.js';
import { kubectlUnavailable } from './kubectl.js';
import { loadManifestFile, overlays, renderOverlay } from './rendered-manifests.js';

const brokenFixture = join(packageRoot, 'test', 'fixtures', 'kubernetes', 'policy-violations.yaml');

for (const check of policyChecks) {
  describe(`policy ${check.id} (${check.upstream})`, { skip: kubectlUnavailable }, () => {
    for (const overlay of overlays) {
      test(`overlays/${overlay} passes`, () => {
        assert.deepEqual(violations(check, renderOverlay(overlay)), []);
      });
    }

    test('the broken fixture fails it', () => {
      assert.notDeepEqual(violations(check, loadManifestFile(brokenFixture)), []);
    });
  });
}

describe('policy suppressions', { skip: kubectlUnavailable }, () => {
  test('local exemptions are explicit kube-score annotations, and production needs none', () => {
    const annotated = (overlay: (typeof overlays)[number]) =>
      renderOverlay(overlay)
        .filter((o) => o.metadata.annotations?.['kube-score/ignore'] !== undefined)
        .map((o) => `${o.kind}: ${o.metadata.annotations?.['kube-score/ignore']}`)
        .sort();
    assert.deepEqual(annotated('local'), ['Deployment: container-image-pull-policy', 'Service: service-type']);
    assert.deepEqual(annotated('production'), []);
  });
});
