import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChurnError } from '../../../src/errors.js';
import type { MlflowCredentials } from '../../../src/sources/mlflow-rest.js';
import { openModelWithProvenance } from '../../../src/runtimes/open-model-from.js';
import { predictRecords } from '../../helpers/runtime-records.js';
import { admin, bearer, reader, type MlflowWorld } from '../harness/mlflow-world.js';

/**
 * A tracking server started with `--app-name basic-auth` (default permission: none) whose authorization function
 * takes HTTP Basic as MLflow checks it, or a bearer token (test/mlflow/bearer_auth.py).
 */
export function credentialsSuite(world: () => MlflowWorld): void {
  const load = (credentials?: MlflowCredentials) => openModelWithProvenance('models:/churn-xgb@champion', {
    attempts: 2, backoffMs: 10, mlflow: { trackingUri: world().auth.url, ...(credentials === undefined ? {} : { credentials }) },
  });
  const refused = (pattern: RegExp, secret?: string) => (error: unknown) => {
    assert.ok(error instanceof ChurnError, String(error));
    assert.equal(error.code, 'MODEL_FETCH_FAILED');
    assert.match(error.message, pattern);
    if (secret !== undefined) assert.ok(!error.message.includes(secret));
    return true;
  };

  describe('MLflow credentials against mlflow server --app-name basic-auth', () => {
    test('MLFLOW_TRACKING_USERNAME/PASSWORD (HTTP Basic) load the model, artifacts included', async () => {
      const { runtime, provenance } = await load(admin);
      assert.equal(provenance.mlflow?.version, '1');
      const { output, column } = runtime.description.positiveProbability!;
      const scores = (await predictRecords(runtime, world().authFixtures.records)).find((o) => o.name === output)!;
      world().authFixtures.xgbPredictions.forEach((p, i) => assert.ok(Math.abs(scores.data[i * scores.width + column]! - p) < 1e-6));
    });

    test('MLFLOW_TRACKING_TOKEN is sent as a bearer token', async () => {
      const { provenance } = await load({ token: bearer.token });
      assert.equal(provenance.mlflow?.registeredModel, 'churn-xgb');
    });

    test('wrong or missing credentials stop at once (no retries), naming the variables and never their values', async () => {
      await assert.rejects(load({ username: admin.username, password: 'not-the-password' }), refused(/MLFLOW_TRACKING_USERNAME\/MLFLOW_TRACKING_PASSWORD \(HTTP 401\)/, 'not-the-password'));
      await assert.rejects(load({ token: 'not-the-token-0123456789' }), refused(/MLFLOW_TRACKING_TOKEN \(HTTP 401\)/, 'not-the-token'));
      await assert.rejects(load(), refused(/no credentials .*HTTP 401/));
    });

    test('a user without permission on the model is told so (HTTP 403)', async () => {
      await assert.rejects(load(reader), refused(/permission denied for MLFLOW_TRACKING_USERNAME\/MLFLOW_TRACKING_PASSWORD \(HTTP 403\)/, reader.password));
    });
  });
}
