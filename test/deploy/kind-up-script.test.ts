import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { IService } from 'kubernetes-models/v1/Service';
import { kindUpScript as script, kindUpScriptText as text } from './kind-up-script.js';
import { renderOverlay } from './rendered-manifests.js';
import { deployments, objectsOfKind } from './workloads.js';

// scripts/kind-up.sh needs Docker and kind, which CI lacks; these tests check what can be checked here
// (runtime-image.test.ts also sends its smoke-test record to the real server).

test('kind-up.sh parses as bash', () => {
  const result = spawnSync('bash', ['-n', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(result.status, 0, result.stderr);
});

test('kind-up.sh passes shellcheck', (t) => {
  const result = spawnSync('shellcheck', ['--severity=style', script], { encoding: 'utf8', timeout: 30_000 });
  if (result.error !== undefined) {
    // CI installs shellcheck (.ci/run); elsewhere its absence is not the script's fault.
    assert.ok(process.env.CI === undefined, 'shellcheck is not installed in CI');
    t.skip('shellcheck is not installed');
    return;
  }
  assert.equal(result.status, 0, result.stdout);
});

test('kind-up.sh builds the image, NodePort and namespace the local overlay uses', () => {
  const objects = renderOverlay('local');
  const image = deployments(objects)[0]?.spec?.template.spec?.containers[0]?.image;
  assert.match(text, new RegExp(`^IMAGE="${image}"$`, 'm'));
  const nodePort = objectsOfKind<IService>(objects, 'Service')[0]?.spec?.ports?.[0]?.nodePort;
  assert.match(text, new RegExp(`containerPort: ${nodePort}\\b`));
  assert.match(text, new RegExp(`^NAMESPACE="${deployments(objects)[0]?.metadata.namespace}"$`, 'm'));
  assert.match(text, /apply -k deploy\/kubernetes\/overlays\/local/);
});
