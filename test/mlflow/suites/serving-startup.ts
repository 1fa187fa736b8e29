import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { freePort } from '../../../src/foundation/free-port.js';
import { cliPath, runFailingServer, startChildServer } from '../../server/child-server.js';
import { admin, type MlflowWorld } from '../harness/mlflow-world.js';

const json = { 'content-type': 'application/json' };

/** `churn-predictor serve` (a child process, as the image runs it) with MODEL_PATH naming a model in the registry. */
export function servingStartupSuite(world: () => MlflowWorld): void {
  describe('churn-predictor serve with MODEL_PATH=models:/…', () => {
    test('serves the alias\'s version: scores as XGBoost does, validates by the signature, logs the provenance', async () => {
      const { registry, fixtures } = world();
      const server = await startChildServer({ MODEL_PATH: 'models:/churn-xgb@champion', MLFLOW_TRACKING_URI: registry.url }, 60_000);
      try {
        const base = `http://127.0.0.1:${server.port}`;
        assert.equal((await fetch(`${base}/readyz`)).status, 200);
        assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: 'ok', modelName: 'churn-xgb', modelVersion: '1' });
        const complete = fixtures.records.findIndex((r) => Object.values(r).every((v) => v !== null));
        const response = await fetch(`${base}/predict`, { method: 'POST', headers: json, body: JSON.stringify(fixtures.records[complete]) });
        const prediction = await response.json() as { churnProbability: number; modelVersion: string };
        assert.equal(response.status, 200, JSON.stringify(prediction));
        assert.ok(Math.abs(prediction.churnProbability - fixtures.xgbPredictions['1'][complete]!) < 1e-6);
        assert.equal(prediction.modelVersion, '1');
        const { tenure: _, ...withoutTenure } = fixtures.records[complete]!;
        const invalid = await fetch(`${base}/predict`, { method: 'POST', headers: json, body: JSON.stringify({ ...withoutTenure, SeniorCitizen: 0.5 }) });
        assert.equal(invalid.status, 422);
        const { error } = await invalid.json() as { error: { code: string; details: { path: string; reason: string }[] } };
        assert.equal(error.code, 'INVALID_RECORD');
        assert.deepEqual(error.details.map((d) => `${d.path} ${d.reason}`).sort(), ['/SeniorCitizen integer', '/tenure required']);
        const loaded = server.logs.find((line) => line['msg'] === 'model loaded and verified');
        const provenance = loaded?.['provenance'] as { kind: string; flavor: string; mlflow: Record<string, string> } | undefined;
        assert.equal(provenance?.kind, 'mlflow');
        assert.equal(provenance?.flavor, 'xgboost');
        assert.deepEqual([provenance?.mlflow['registeredModel'], provenance?.mlflow['alias'], provenance?.mlflow['version'], provenance?.mlflow['runId']], ['churn-xgb', 'champion', '1', fixtures.xgb['1'].runId]);
        assert.ok(server.logs.some((line) => line['msg'] === 'model download progress'), 'download progress is logged');
      } finally {
        server.kill();
      }
    });

    test('with credentials from the environment: starts, and no secret reaches the log', async () => {
      const { auth } = world();
      const server = await startChildServer({
        MODEL_PATH: 'models:/churn-xgb@champion', MLFLOW_TRACKING_URI: auth.url, MLFLOW_TRACKING_USERNAME: admin.username, MLFLOW_TRACKING_PASSWORD: admin.password,
      }, 60_000);
      try {
        assert.equal((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status, 200);
        const logs = JSON.stringify(server.logs);
        assert.ok(!logs.includes(admin.password) && !logs.includes(Buffer.from(`${admin.username}:${admin.password}`).toString('base64')));
      } finally {
        server.kill();
      }
    });

    test('the CLI takes --model as MODEL_PATH does: churn-predictor info --model models:/… prints the card', async () => {
      const { registry } = world();
      const child = spawn(process.execPath, [cliPath, 'info', '--model', 'models:/churn-xgb@challenger', '--json'], {
        env: { PATH: process.env['PATH'] ?? '', MLFLOW_TRACKING_URI: registry.url }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
      assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 0, stderr);
      const card = JSON.parse(stdout) as { name: string; version: string; format: string };
      assert.deepEqual([card.name, card.version, card.format], ['churn-xgb', '2', 'xgboost-json']);
    });

    test('each bad input stops start-up with exit 1 and one line naming MODEL_PATH (or the variable at fault)', async () => {
      const { registry, auth, fixtures } = world();
      const down = `http://127.0.0.1:${await freePort()}`;
      const cases: [string, Record<string, string>, string, RegExp][] = [
        ['unknown model', { MODEL_PATH: 'models:/no-such-model@champion', MLFLOW_TRACKING_URI: registry.url }, 'MODEL_NOT_IN_REGISTRY', /^MODEL_PATH models:\/no-such-model@champion: .*no-such-model/],
        ['unknown alias', { MODEL_PATH: 'models:/churn-xgb@no-such-alias', MLFLOW_TRACKING_URI: registry.url }, 'MODEL_NOT_IN_REGISTRY', /^MODEL_PATH models:\/churn-xgb@no-such-alias: .*no-such-alias/],
        ['unknown version', { MODEL_PATH: 'models:/churn-xgb/42', MLFLOW_TRACKING_URI: registry.url }, 'MODEL_NOT_IN_REGISTRY', /^MODEL_PATH models:\/churn-xgb\/42: .*version=42/],
        ['tracking server down', { MODEL_PATH: 'models:/churn-xgb@champion', MLFLOW_TRACKING_URI: down }, 'MODEL_FETCH_FAILED', /^MODEL_PATH .*MLFLOW_TRACKING_URI .*gave up after 4 attempts/],
        ['wrong credentials', { MODEL_PATH: 'models:/churn-xgb@champion', MLFLOW_TRACKING_URI: auth.url, MLFLOW_TRACKING_USERNAME: admin.username, MLFLOW_TRACKING_PASSWORD: 'wrong-password' }, 'MODEL_FETCH_FAILED', /^MODEL_PATH .*MLFLOW_TRACKING_USERNAME\/MLFLOW_TRACKING_PASSWORD .*401/],
        ['artifact missing', { MODEL_PATH: `models:/churn-missing/${fixtures.missing.version}`, MLFLOW_TRACKING_URI: registry.url }, 'ARTIFACT_NOT_FOUND', /^MODEL_PATH models:\/churn-missing\/1: /],
        ['pickle flavour', { MODEL_PATH: `models:/churn-pyfunc/${fixtures.pyfunc.version}`, MLFLOW_TRACKING_URI: registry.url }, 'ARTIFACT_UNSUPPORTED_FORMAT', /^MODEL_PATH .*pickle runs arbitrary code.*ONNX/],
        ['corrupt MLmodel', { MODEL_PATH: 'models:/churn-corrupt/1', MLFLOW_TRACKING_URI: registry.url }, 'ARTIFACT_CORRUPT', /^MODEL_PATH models:\/churn-corrupt\/1: MLmodel: not valid YAML/],
        ['no tracking URI', { MODEL_PATH: 'models:/churn-xgb@champion' }, 'INVALID_CONFIG', /^MLFLOW_TRACKING_URI must be set/],
        ['malformed URI', { MODEL_PATH: 'models:/churn-xgb@', MLFLOW_TRACKING_URI: registry.url }, 'INVALID_CONFIG', /^MODEL_PATH must be/],
      ];
      await Promise.all(cases.map(async ([what, env, code, message]) => {
        const result = await runFailingServer(env, 60_000);
        assert.equal(result.code, 1, `${what}: ${result.stderr}`);
        const lines = result.stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, `${what}: one line, got ${result.stderr}`);
        assert.ok(lines[0]!.startsWith(`error ${code}: `), `${what}: ${lines[0]}`);
        assert.match(lines[0]!.slice(`error ${code}: `.length), message, what);
        assert.ok(!result.stderr.includes('wrong-password') && !result.stdout.includes('wrong-password'), `${what}: no secret in the output`);
      }));
    });
  });
}
