import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifestText } from '../../../src/autoscale/manifests/manifest-documents.js';
import { readScalingSetup } from '../../../src/autoscale/manifests/scaling-setup-reader.js';
import { defaultSimulationOptions } from '../../../src/autoscale/simulator/simulation-options.js';
import { isChurnError } from '../../../src/errors.js';

/** A Deployment whose api container has this environment. */
function setupWith(env: Record<string, string>) {
  const entries = Object.entries(env).map(([name, value]) => `{name: ${name}, value: "${value}"}`).join(', ');
  return readScalingSetup(parseManifestText(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: churn-predictor}
spec: {replicas: 2, template: {spec: {containers: [{name: api, resources: {requests: {cpu: 500m}}, env: [${entries}]}]}}}
`, 'inline'));
}

const slo = { p99Ms: 100, maxErrorRate: 0.01 };

describe('the server behaviour the simulator reads from the manifests', () => {
  it('reads each variable with the server\'s own parser, and takes the server\'s defaults when unset', () => {
    assert.deepEqual(defaultSimulationOptions(setupWith({ SHUTDOWN_DRAIN_SECONDS: '0.5', MAX_EVENT_LOOP_DELAY_MS: '0' }), slo).server,
      { shutdownDrainSeconds: 0.5, maxEventLoopDelayMs: 0, requestTimeoutMs: 10_000 });
    assert.deepEqual(defaultSimulationOptions(setupWith({}), slo).server, { shutdownDrainSeconds: 5, maxEventLoopDelayMs: 200, requestTimeoutMs: 10_000 });
  });

  for (const [name, value] of [['SHUTDOWN_DRAIN_SECONDS', '-1'], ['MAX_EVENT_LOOP_DELAY_MS', '1e2'], ['REQUEST_TIMEOUT_MS', '10']]) {
    it(`refuses ${name}=${value}, which the server would refuse at start-up, naming the variable`, () => {
      assert.throws(() => defaultSimulationOptions(setupWith({ [name!]: value! }), slo), (error: unknown) =>
        isChurnError(error) && error.code === 'MANIFEST_INVALID' && error.message.includes(name!));
    });
  }
});
