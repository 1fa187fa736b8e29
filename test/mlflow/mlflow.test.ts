import { after, before, describe, test } from 'node:test';
import { mlflowMissing, mlflowRequired } from './harness/mlflow-server.js';
import { startWorld, type MlflowWorld } from './harness/mlflow-world.js';
import { credentialsSuite } from './suites/credentials.js';
import { registryLoadingSuite } from './suites/registry-loading.js';
import { scoringProtocolSuite } from './suites/scoring-protocol.js';
import { aliasFollowingSuite } from './suites/alias-following.js';
import { servingStartupSuite } from './suites/serving-startup.js';
import { trackedTrainingSuite } from './suites/tracked-training.js';

/**
 * Everything MLflow, against real MLflow servers (`mlflow server` from PyPI, SQLite backend, --serve-artifacts): one
 * open registry and one with `--app-name basic-auth`, shared by every suite because each takes tens of seconds to
 * start. Models are logged and aliased by MLflow's own Python client (log_fixtures.py) before the suites run.
 * Without the venv the suites skip with the reason; in CI (CI=true) that is a failure.
 */
const missing = mlflowMissing();
if (missing !== undefined && mlflowRequired) {
  test('the MLflow venv is installed (CI=true: the MLflow tests must run)', () => {
    throw new Error(missing);
  });
}

describe('MLflow', { skip: missing, timeout: 900_000 }, () => {
  let world: MlflowWorld | undefined;
  const get = (): MlflowWorld => world ?? assert('the MLflow servers did not start');
  before(async () => {
    world = await startWorld();
    process.stderr.write(`# MLflow servers up in ${world.registry.startSeconds.toFixed(1)} s and ${world.auth.startSeconds.toFixed(1)} s (in parallel); fixtures logged in ${world.fixtureSeconds.toFixed(1)} s; MLflow ${world.fixtures.mlflowVersion}, XGBoost ${world.fixtures.xgboostVersion}\n`);
  }, { timeout: 600_000 });
  after(async () => { await world?.stop(); });

  registryLoadingSuite(get);
  servingStartupSuite(get);
  scoringProtocolSuite(get);
  aliasFollowingSuite(get);
  credentialsSuite(get);
  trackedTrainingSuite(get);
});

function assert(message: string): never {
  throw new Error(message);
}
