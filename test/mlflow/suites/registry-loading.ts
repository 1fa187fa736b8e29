import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { ChurnError } from '../../../src/errors.js';
import type { FetchOptions } from '../../../src/sources/fetch-model.js';
import { MlflowRegistryClient } from '../../../src/sources/mlflow-registry-client.js';
import { mlflowRequest } from '../../../src/sources/mlflow-rest.js';
import { parseMlflowUri } from '../../../src/sources/mlflow-uri.js';
import { openModelWithProvenance } from '../../../src/runtimes/open-model-from.js';
import type { ModelRuntime } from '../../../src/runtimes/model-runtime.js';
import { freePort } from '../../../src/foundation/free-port.js';
import { s3rverCredentials, withAwsEnvironment } from '../../helpers/aws-environment.js';
import { dataRecords } from '../../helpers/fixtures.js';
import { predictNativeBatch } from '../../helpers/native-plane.js';
import { predictRecords } from '../../helpers/runtime-records.js';
import { bundledModel } from '../../server/app-harness.js';
import { mlflowRequired } from '../harness/mlflow-server.js';
import type { MlflowWorld } from '../harness/mlflow-world.js';

const quick = { attempts: 2, backoffMs: 10, timeoutMs: 30_000 };

function isCode(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ChurnError, String(error));
    assert.equal(error.code, code, error.message);
    assert.ok(!error.message.includes('\n'), 'one line');
    return true;
  };
}

/** The positive-class probabilities a runtime gives the records. */
async function probabilities(runtime: ModelRuntime, records: readonly unknown[]): Promise<number[]> {
  const { output, column } = runtime.description.positiveProbability ?? assert.fail('not a binary classifier');
  const found = (await predictRecords(runtime, records)).find((o) => o.name === output) ?? assert.fail(`no output ${output}`);
  return records.map((_, i) => found.data[i * found.width + column]!);
}

function assertClose(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tolerance, `record ${i}: ${a} vs ${expected[i]} (tolerance ${tolerance})`));
}

function modelDirectories(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('churn-model-') || name.startsWith('churn-mlflow-'));
}

/** models:/ and runs:/ resolved by a real MLflow registry, downloaded through its artifact proxy (or S3), loaded by flavour. */
export function registryLoadingSuite(world: () => MlflowWorld): void {
  const options = (extra: FetchOptions = {}): FetchOptions => ({ ...quick, mlflow: { trackingUri: world().registry.url }, ...extra });
  const load = (uri: string, extra: FetchOptions = {}) => openModelWithProvenance(uri, options(extra));

  describe('resolving models:/ and runs:/ and loading MLflow model folders', () => {
    test('an alias, a version, latest, a logged model id and runs:/ resolve to the version MLflow says, with its provenance', async () => {
      const { fixtures, registry } = world();
      const v1 = fixtures.xgb['1'];
      const v2 = fixtures.xgb['2'];
      const trackingUri = `${registry.url}`;
      const cases: [string, string, Record<string, unknown>][] = [
        ['models:/churn-xgb@champion', '1', { registeredModel: 'churn-xgb', version: '1', alias: 'champion', runId: v1.runId, modelId: v1.modelId }],
        ['models:/churn-xgb@challenger', '2', { registeredModel: 'churn-xgb', version: '2', alias: 'challenger', runId: v2.runId, modelId: v2.modelId }],
        ['models:/churn-xgb/1', '1', { registeredModel: 'churn-xgb', version: '1', runId: v1.runId, modelId: v1.modelId }],
        ['models:/churn-xgb/latest', '2', { registeredModel: 'churn-xgb', version: '2', runId: v2.runId, modelId: v2.modelId }],
        [`models:/${v1.modelId}`, '1', { modelId: v1.modelId, runId: v1.runId }],
        [`runs:/${v2.runId}/model`, '2', { runId: v2.runId, modelId: v2.modelId }],
      ];
      for (const [uri, version, expected] of cases) {
        const { runtime, provenance } = await load(uri);
        try {
          assert.equal(provenance.kind, 'mlflow');
          assert.equal(provenance.source, uri);
          assert.equal(provenance.flavor, 'xgboost');
          const { artifactUri, trackingUri: tracking, ...rest } = provenance.mlflow ?? assert.fail('no MLflow provenance');
          assert.deepEqual(rest, expected, uri);
          assert.equal(new URL(tracking).origin, new URL(trackingUri).origin);
          assert.equal(artifactUri, (version === '1' ? v1 : v2).artifactUri);
          assert.equal(runtime.description.format, 'xgboost-json');
          assertClose(await probabilities(runtime, fixtures.records), fixtures.xgbPredictions[version as '1' | '2'], 1e-6);
        } finally {
          await runtime.close();
        }
      }
    });

    test('a registered version is served under the registry\'s name and version', async () => {
      const { runtime } = await load('models:/churn-xgb@challenger');
      assert.deepEqual([runtime.description.name, runtime.description.version], ['churn-xgb', '2']);
    });

    test('MLflow 2\'s layout (a model folder logged as run artifacts) loads from runs:/', async () => {
      const { fixtures } = world();
      const { runtime, provenance } = await load(`runs:/${fixtures.runArtifacts.runId}/${fixtures.runArtifacts.path}`);
      assert.match(provenance.mlflow?.artifactUri ?? '', new RegExp(`${fixtures.runArtifacts.runId}/artifacts/xgb-model$`));
      assert.equal(provenance.mlflow?.modelId, undefined);
      assertClose(await probabilities(runtime, fixtures.records), fixtures.xgbPredictions['1'], 1e-6);
    });

    test('the signature becomes the feature schema with MLflow\'s rules: names, integer types, missing values, required columns', async () => {
      const { fixtures } = world();
      const { runtime } = await load('models:/churn-xgb/1');
      const schema = runtime.description.schema;
      assert.deepEqual(schema.features.map((f) => f.name), fixtures.features);
      const kinds = Object.fromEntries(schema.features.map((f) => [f.name, f.kind === 'numeric' ? { integer: f.integer, nullable: f.nullable } : f.kind]));
      // A long column takes integers and no missing value; a double column may hold NaN (null), which MLflow passes on.
      assert.deepEqual(kinds.tenure, { integer: true, nullable: false });
      assert.deepEqual(kinds.MonthlyCharges, { integer: false, nullable: true });
      assert.deepEqual(runtime.description.pyfunc, { flavor: 'xgboost', predictsLabels: false, requiredColumns: fixtures.features });
      const encoder = runtime.encoder;
      const out = new Float64Array(encoder.width);
      const good = { tenure: 5, SeniorCitizen: 0, MonthlyCharges: 70.5, TotalCharges: 352.5 };
      assert.equal(encoder.encode(good, out), undefined);
      const reasons = (record: Record<string, unknown>) => encoder.encode(record, out)?.map((e) => `${e.path} ${e.reason}`);
      assert.deepEqual(reasons({ ...good, tenure: 5.5 }), ['/tenure integer']);
      assert.deepEqual(reasons({ ...good, tenure: null }), ['/tenure required']);
      assert.deepEqual(reasons({ ...good, MonthlyCharges: 'high' }), ['/MonthlyCharges type']);
      assert.equal(reasons({ ...good, TotalCharges: null }), undefined);
    });

    test('ONNX with one [N, F] input: the column signature names the inputs by position; scores match onnxruntime', async () => {
      const { fixtures } = world();
      const { runtime, provenance } = await load('models:/churn-onnx/1');
      assert.equal(provenance.flavor, 'onnx');
      assert.equal(runtime.description.format, 'onnx');
      assert.deepEqual(runtime.description.schema.features.map((f) => f.name), fixtures.features);
      assertClose(await probabilities(runtime, fixtures.onnxRecords), fixtures.onnxPredictions, 1e-6);
      await runtime.close();
    });

    test('our own exported ONNX logged with mlflow.onnx scores as the native model does', async () => {
      const lines: string[] = [];
      const { runtime, provenance } = await load(`models:/churn-exported-onnx/${world().fixtures.exportedOnnx.version}`, { log: (m) => lines.push(m) });
      assert.equal(provenance.flavor, 'onnx');
      const records = dataRecords().slice(0, 25);
      const native = predictNativeBatch(bundledModel(), records).results.map((r) => ('churnProbability' in r ? r.churnProbability : NaN));
      assertClose(await probabilities(runtime, records), native, 1e-5);
      await runtime.close();
    });

    test('XGBoost\'s UBJSON (MLflow\'s default model_format) scores as XGBoost does', async () => {
      const { fixtures } = world();
      const { runtime, provenance } = await load(`models:/churn-xgb-ubj/${fixtures.ubj.version}`);
      assert.deepEqual([provenance.flavor, runtime.description.format], ['xgboost', 'xgboost-ubjson']);
      assertClose(await probabilities(runtime, fixtures.records), fixtures.xgbPredictions['1'], 1e-6);
    });

    test('LightGBM (the lightgbm flavour) scores as LightGBM does', async (t) => {
      const { fixtures } = world();
      if (fixtures.lightgbm === null) {
        if (mlflowRequired) assert.fail('lightgbm is not in the MLflow venv');
        return t.skip('lightgbm is not in the venv');
      }
      const { runtime, provenance } = await load(`models:/churn-lightgbm/${fixtures.lightgbm.version}`);
      assert.deepEqual([provenance.flavor, runtime.description.format], ['lightgbm', 'lightgbm-text']);
      assertClose(await probabilities(runtime, fixtures.records), fixtures.lightgbmPredictions ?? [], 1e-6);
    });

    test('MODEL_SHA256 pins the file the flavour names', async () => {
      const first = await load('models:/churn-xgb/1');
      const sha256 = first.provenance.sha256 ?? assert.fail('no sha256');
      const pinned = await load('models:/churn-xgb/1', { sha256: sha256.toUpperCase() });
      assert.equal(pinned.provenance.sha256, sha256);
      await assert.rejects(load('models:/churn-xgb/2', { sha256 }), isCode('ARTIFACT_CHECKSUM_MISMATCH'));
    });

    test('a version kept in S3 (an s3:// source) downloads through the S3 source', async () => {
      const { fixtures, s3 } = world();
      const { runtime, provenance } = await withAwsEnvironment(s3rverCredentials, () => load(`models:/churn-s3/${fixtures.s3.version}`, { s3: s3.options }));
      assert.equal(provenance.mlflow?.artifactUri, fixtures.s3.source);
      assertClose(await probabilities(runtime, fixtures.records), fixtures.xgbPredictions['1'], 1e-6);
    });

    test('bad MODEL_PATHs stop with their code in one line naming MODEL_PATH, leaving nothing behind', async () => {
      const before = modelDirectories().length;
      const cases: [string, string][] = [
        ['models:/no-such-model/1', 'MODEL_NOT_IN_REGISTRY'],
        ['models:/no-such-model@champion', 'MODEL_NOT_IN_REGISTRY'],
        ['models:/no-such-model/latest', 'MODEL_NOT_IN_REGISTRY'],
        ['models:/churn-xgb@no-such-alias', 'MODEL_NOT_IN_REGISTRY'],
        ['models:/churn-xgb/99', 'MODEL_NOT_IN_REGISTRY'],
        ['models:/churn-xgb/Production', 'MODEL_NOT_IN_REGISTRY'],
        ['runs:/0123456789abcdef0123456789abcdef/model', 'MODEL_NOT_IN_REGISTRY'],
        ['models:/m-0123456789abcdef0123456789abcdef', 'MODEL_NOT_IN_REGISTRY'],
        [`models:/churn-pyfunc/${world().fixtures.pyfunc.version}`, 'ARTIFACT_UNSUPPORTED_FORMAT'],
        ['models:/churn-corrupt/1', 'ARTIFACT_CORRUPT'],
        [`models:/churn-missing/${world().fixtures.missing.version}`, 'ARTIFACT_NOT_FOUND'],
      ];
      for (const [uri, code] of cases) {
        await assert.rejects(load(uri), (error: unknown) => isCode(code)(error) && (error as Error).message.startsWith(`MODEL_PATH ${uri}: `), uri);
      }
      assert.equal(modelDirectories().length, before);
    });

    test('the pickle refusal says why and what to do instead', async () => {
      await assert.rejects(load(`models:/churn-pyfunc/${world().fixtures.pyfunc.version}`), (error: unknown) => {
        assert.match((error as Error).message, /executing a pickle runs arbitrary code/);
        assert.match((error as Error).message, /mlflow\.onnx\.log_model.*model_format="json"/);
        return true;
      });
    });

    test('a tracking server that is down fails after the retries, naming MLFLOW_TRACKING_URI', async () => {
      const port = await freePort();
      const retries: unknown[] = [];
      await assert.rejects(
        openModelWithProvenance('models:/churn-xgb@champion', { attempts: 3, backoffMs: 5, mlflow: { trackingUri: `http://127.0.0.1:${port}/` }, log: (m, f) => { if (m.includes('retrying')) retries.push(f); } }),
        (error: unknown) => isCode('MODEL_FETCH_FAILED')(error) && /MLFLOW_TRACKING_URI http:\/\/127\.0\.0\.1:\d+\/.*gave up after 3 attempts/.test((error as Error).message),
      );
      assert.equal(retries.length, 2);
    });

    test('following an alias: currentVersion is one call that sees the alias move', async () => {
      const { registry } = world();
      const connection = { trackingUri: registry.url };
      const client = new MlflowRegistryClient(connection);
      const setAlias = (version: string) => mlflowRequest(connection, 'mlflow/registered-models/alias', { method: 'POST', body: { name: 'churn-xgb', alias: 'moving', version }, timeoutMs: 10_000 });
      await setAlias('1');
      const reference = parseMlflowUri('models:/churn-xgb@moving');
      assert.equal((await client.currentVersion(reference))?.version, '1');
      await setAlias('2');
      assert.deepEqual(await client.currentVersion(reference), { version: '2', runId: world().fixtures.xgb['2'].runId });
      assert.equal((await client.currentVersion(parseMlflowUri('models:/churn-xgb/latest')))?.version, '2');
      assert.deepEqual(await client.currentVersion(parseMlflowUri('models:/churn-xgb/1')), { version: '1' });
      assert.equal(await client.currentVersion(parseMlflowUri(`runs:/${world().fixtures.xgb['1'].runId}/model`)), undefined);
      await assert.rejects(client.currentVersion(parseMlflowUri('models:/churn-xgb@nobody')), isCode('MODEL_NOT_IN_REGISTRY'));
    });
  });
}
