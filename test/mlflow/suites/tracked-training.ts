import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadModelArtifact } from '../../../src/model/artifact-loader.js';
import { MlflowRegistryClient } from '../../../src/sources/mlflow-registry-client.js';
import { parseMlflowUri } from '../../../src/sources/mlflow-uri.js';
import { freePort } from '../../../src/foundation/free-port.js';
import { dataRecords, temporaryDirectory } from '../../helpers/fixtures.js';
import { predictNativeBatch } from '../../helpers/native-plane.js';
import { cliPath, startChildServer } from '../../server/child-server.js';
import { runVenvPython } from '../harness/mlflow-server.js';
import { admin, type MlflowWorld } from '../harness/mlflow-world.js';

interface CliResult { code: number | null; stdout: string; stderr: string }

/** `churn-predictor <args>` in a child process (not spawnSync: this process serves s3rver and the test's fetches). */
function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

function oneLineError(result: CliResult, code: string): string {
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('mlflow: ') && !l.startsWith('round '));
  assert.equal(lines.length, 1, result.stderr);
  assert.ok(lines[0]!.startsWith(`error ${code}: `), lines[0]);
  return lines[0]!;
}

interface TrackedRun {
  status: string;
  runName: string;
  experimentName: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  history: [number, number][];
  datasets: { name: string; digest: string; source_type: string; context: string }[];
  flavors: string[];
  flavor: Record<string, unknown>;
  inputs: [string, string, boolean][];
  files: string[];
}

/** `churn-predictor train --mlflow`: the run as MLflow's own client reads it, then served from models:/. */
export function trackedTrainingSuite(world: () => MlflowWorld): void {
  const work = temporaryDirectory('churn-tracked-');
  after(() => rmSync(work, { recursive: true, force: true }));

  describe('churn-predictor train --mlflow', () => {
    let runId = '';
    const out = join(work, 'artifact');

    test('logs a run MLflow\'s client reads like any other: parameters, metrics and their history, the data set, the model', async () => {
      const { registry } = world();
      const result = await runCli(['train', '--mlflow', '--out', out, '--experiment', 'churn-tests', '--run-name', 'first', '--register-as', 'churn-native', '--alias', 'prod'], { MLFLOW_TRACKING_URI: registry.url });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^serve it with MODEL_PATH=models:\/churn-native@prod$/m);
      runId = /^mlflow run ([0-9a-f]+): /m.exec(result.stdout)?.[1] ?? assert.fail(result.stdout);
      assert.match(result.stderr, /mlflow: registered "churn-native" version 1/);
      const read = JSON.parse(await runVenvPython('read_tracked_run.py', ['--run-id', runId, '--model-uri', 'models:/churn-native@prod'], { MLFLOW_TRACKING_URI: registry.url })) as TrackedRun;
      const manifest = loadModelArtifact(out).manifest;
      assert.equal(read.status, 'FINISHED');
      assert.deepEqual([read.runName, read.experimentName], ['first', 'churn-tests']);
      assert.equal(read.params['algorithm'], 'gbdt');
      assert.equal(read.params['data.sha256'], manifest.training.data.sha256);
      assert.equal(read.tags['data.sha256'], manifest.training.data.sha256);
      assert.equal(Number(read.params['learningRate']), manifest.hyperParameters['learningRate']);
      assert.equal(read.metrics['test.rocAuc'], manifest.metrics.test.rocAuc);
      assert.equal(read.metrics['threshold'], manifest.threshold.value);
      assert.equal(read.history.length, manifest.training.iterations.run, 'one validation loss per boosting round');
      assert.deepEqual(read.history.slice(0, 2).map(([step]) => step), [1, 2]);
      assert.deepEqual(read.datasets, [{ name: 'telco-customer-churn.csv', digest: manifest.training.data.sha256.slice(0, 36), source_type: 'local', context: 'training' }]);
      assert.match(read.tags['mlflow.note.content'] ?? '', /ROC AUC/);
      assert.deepEqual(read.flavors, ['churn_predictor']);
      assert.equal(read.flavor['data'], 'artifact');
      // registered_model_meta is what MLflow's client adds when it downloads a models:/ URI.
      assert.deepEqual(read.files.filter((f) => f !== 'registered_model_meta'), ['MLmodel', 'artifact/manifest.json', `artifact/${manifest.payload.file}`]);
      assert.deepEqual(read.inputs.map(([name]) => name), manifest.schema.features.map((f) => f.name));
      assert.deepEqual(read.inputs.find(([name]) => name === 'TotalCharges')?.[2], false, 'a nullable feature is an optional column');
    });

    test('MODEL_PATH=models:/churn-native@prod serves the trained artifact natively', async () => {
      const { registry } = world();
      const server = await startChildServer({ MODEL_PATH: 'models:/churn-native@prod', MLFLOW_TRACKING_URI: registry.url }, 60_000);
      try {
        const base = `http://127.0.0.1:${server.port}`;
        const loaded = server.logs.find((line) => line['msg'] === 'model loaded and verified');
        assert.equal(loaded?.['format'], 'native');
        assert.equal((loaded?.['provenance'] as { flavor?: string } | undefined)?.flavor, 'churn_predictor');
        const records = dataRecords().slice(0, 10);
        const native = predictNativeBatch(loadModelArtifact(out), records).results;
        const response = await fetch(`${base}/predict/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ records }) });
        const body = await response.json() as { results: { churnProbability: number }[] };
        assert.equal(response.status, 200);
        body.results.forEach((r, i) => assert.equal(r.churnProbability, (native[i] as { churnProbability: number }).churnProbability));
      } finally {
        server.kill();
      }
    });

    test('training again registers the next version and moves the alias', async () => {
      const { registry } = world();
      const result = await runCli(['train', '--mlflow', '--algo', 'logreg', '--out', join(work, 'second'), '--experiment', 'churn-tests', '--register-as', 'churn-native', '--alias', 'prod'], { MLFLOW_TRACKING_URI: registry.url });
      assert.equal(result.code, 0, result.stderr);
      const client = new MlflowRegistryClient({ trackingUri: registry.url });
      assert.equal((await client.currentVersion(parseMlflowUri('models:/churn-native@prod')))?.version, '2');
    });

    test('mistakes stop with one line: options without --mlflow, an alias without a name, no tracking URI, server down, wrong credentials', async () => {
      const { auth } = world();
      const down = `http://127.0.0.1:${await freePort()}`;
      const target = ['--out', join(work, 'bad')];
      assert.match(oneLineError(await runCli(['train', '--register-as', 'x', ...target], {}), 'INVALID_ARGUMENT'), /need --mlflow/);
      assert.match(oneLineError(await runCli(['train', '--mlflow', '--alias', 'prod', ...target], { MLFLOW_TRACKING_URI: down }), 'INVALID_ARGUMENT'), /--alias needs --register-as/);
      assert.match(oneLineError(await runCli(['train', '--mlflow', '--register-as', 'x', '--alias', 'latest', ...target], { MLFLOW_TRACKING_URI: down }), 'INVALID_ARGUMENT'), /--alias must be/);
      assert.match(oneLineError(await runCli(['train', '--mlflow', ...target], {}), 'INVALID_CONFIG'), /^error INVALID_CONFIG: MLFLOW_TRACKING_URI must be set/);
      assert.match(oneLineError(await runCli(['train', '--mlflow', ...target], { MLFLOW_TRACKING_URI: down }), 'TRACKING_FAILED'), /cannot reach the MLflow tracking server .*gave up after 4 attempts/);
      const wrong = oneLineError(await runCli(['train', '--mlflow', ...target], { MLFLOW_TRACKING_URI: auth.url, MLFLOW_TRACKING_USERNAME: admin.username, MLFLOW_TRACKING_PASSWORD: 'wrong-password' }), 'TRACKING_FAILED');
      assert.match(wrong, /MLFLOW_TRACKING_USERNAME\/MLFLOW_TRACKING_PASSWORD \(HTTP 401\)/);
      assert.ok(!wrong.includes('wrong-password'));
    });

    test('with credentials (basic-auth server): the run is logged and registered', async () => {
      const { auth } = world();
      const result = await runCli(['train', '--mlflow', '--algo', 'logreg', '--out', join(work, 'auth'), '--register-as', 'churn-native'], {
        MLFLOW_TRACKING_URI: auth.url, MLFLOW_TRACKING_USERNAME: admin.username, MLFLOW_TRACKING_PASSWORD: admin.password,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^serve it with MODEL_PATH=models:\/churn-native\/1$/m);
    });
  });
}
