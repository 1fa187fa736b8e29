import { PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import S3rver from 's3rver';
import { stringify } from 'yaml';
import { ChurnError } from '../../../src/errors.js';
import { packageRoot } from '../../../src/foundation/package-files.js';
import { bundledModelDirectory } from '../../../src/model/bundled-model.js';
import { NativeRuntime } from '../../../src/model/runtimes/native-runtime.js';
import { parseMlflowUri } from '../../../src/model/sources/mlflow-uri.js';
import { openMlflowModelFolder } from '../../../src/model/sources/mlflow-model-folder.js';
import { openModelWithProvenance } from '../../../src/model/sources/open-model-from.js';
import { safeRelativePath } from '../../../src/model/sources/remote-folder.js';
import { s3Client } from '../../../src/model/sources/s3-download.js';
import { temporaryDirectory } from '../../helpers/fixtures.js';

const xgboostFile = join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json');
const xgboostNames = ['tenure', 'monthly_charges', 'total_charges', 'support_calls', 'contract_months', 'age'];

function isCode(code: string) {
  return (error: unknown) => error instanceof ChurnError && error.code === code && !error.message.includes('\n');
}

/** An MLflow model folder as MLflow writes one: MLmodel (YAML, the signature as JSON strings) beside the model file. */
function folder(root: string, name: string, mlmodel: Record<string, unknown> | string, files: Record<string, string | Buffer> = {}): string {
  const directory = join(root, name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'MLmodel'), typeof mlmodel === 'string' ? mlmodel : stringify(mlmodel));
  for (const [file, content] of Object.entries(files)) writeFileSync(join(directory, file), content);
  return directory;
}

const columns = (names: string[], type = 'double', required = true) => JSON.stringify(names.map((name) => ({ type, name, required })));
const xgboostFlavor = (format = 'json') => ({ xgboost: { data: `model.${format}`, model_format: format, xgb_version: '3.2.0' }, python_function: { loader_module: 'mlflow.xgboost', data: `model.${format}` } });

describe('MLflow model folders', () => {
  const root = temporaryDirectory('churn-mlmodel-');
  after(() => rmSync(root, { recursive: true, force: true }));
  const xgboost = readFileSync(xgboostFile);

  it('xgboost (model_format json): the signature gives the schema; the registry its name and version; MODEL_SHA256 pins the file', async () => {
    const signature = JSON.stringify([...xgboostNames.slice(0, 5).map((name) => ({ type: 'double', name, required: true })), { type: 'long', name: 'age', required: false }]);
    const directory = folder(root, 'xgb', { flavors: xgboostFlavor(), signature: { inputs: signature, outputs: null }, run_id: 'abc' }, { 'model.json': xgboost });
    const sha256 = createHash('sha256').update(xgboost).digest('hex');
    const opened = await openMlflowModelFolder(directory, { name: 'churn-xgb', version: '3', sha256 });
    assert.deepEqual([opened.flavor, opened.sha256], ['xgboost', sha256]);
    const d = opened.runtime.description;
    assert.deepEqual([d.name, d.version, d.format], ['churn-xgb', '3', 'xgboost-json']);
    const age = d.schema?.features.find((f) => f.name === 'age');
    assert.deepEqual(age?.kind === 'numeric' && [age.integer, age.nullable], [true, true]);
    assert.equal((await openMlflowModelFolder(directory)).runtime.description.version, 'abc', 'without a registry: the run id');
    await assert.rejects(openMlflowModelFolder(directory, { sha256: '0'.repeat(64) }), isCode('ARTIFACT_CHECKSUM_MISMATCH'));
  });

  it('a model saved without input names reads them, by position, from the signature', async () => {
    const document = JSON.parse(xgboost.toString('utf8')) as { learner: Record<string, unknown> };
    delete document.learner['feature_names'];
    delete document.learner['feature_types'];
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const directory = folder(root, 'unnamed', { flavors: xgboostFlavor(), signature: { inputs: columns(names) } }, { 'model.json': JSON.stringify(document) });
    const { runtime } = await openMlflowModelFolder(directory);
    assert.deepEqual(runtime.description.inputs.map((i) => i.name), names);
    const named = folder(root, 'named', { flavors: xgboostFlavor(), signature: { inputs: columns(names) } }, { 'model.json': xgboost });
    await assert.rejects(openMlflowModelFolder(named), isCode('ARTIFACT_SCHEMA_MISMATCH'));
  });

  it('the native flavour (churn_predictor) opens the artifact folder with the native runtime', async () => {
    const directory = folder(root, 'native', { flavors: { churn_predictor: { data: 'artifact' } } });
    cpSync(bundledModelDirectory, join(directory, 'artifact'), { recursive: true });
    const opened = await openMlflowModelFolder(directory);
    assert.ok(opened.runtime instanceof NativeRuntime);
    assert.equal(opened.sha256, createHash('sha256').update(readFileSync(join(bundledModelDirectory, 'manifest.json'))).digest('hex'));
  });

  it('pickled flavours are refused saying why and what to do instead; other flavours name themselves', async () => {
    const sklearn = folder(root, 'sklearn', { flavors: { python_function: { loader_module: 'mlflow.sklearn', data: 'model.pkl' }, sklearn: { pickled_model: 'model.pkl', serialization_format: 'cloudpickle' } } }, { 'model.pkl': 'x' });
    await assert.rejects(openMlflowModelFolder(sklearn), (error: unknown) => isCode('ARTIFACT_UNSUPPORTED_FORMAT')(error)
      && /python_function\/sklearn .*executing a pickle runs arbitrary code.*ONNX.*model_format="json"/.test((error as Error).message));
    const other = folder(root, 'other', { flavors: { h2o_mojo: { data: 'model.zip' } } });
    await assert.rejects(openMlflowModelFolder(other), (error: unknown) => isCode('ARTIFACT_UNSUPPORTED_FORMAT')(error) && /h2o_mojo/.test((error as Error).message));
  });

  it('a corrupt or incomplete MLmodel is ARTIFACT_CORRUPT (or NOT_FOUND for a missing file), never a stack trace', async () => {
    const cases: [string, Record<string, unknown> | string, string][] = [
      ['yaml', 'flavors:\n  xgboost: {data: model.json\n', 'ARTIFACT_CORRUPT'],
      ['list', '- a\n- b\n', 'ARTIFACT_CORRUPT'],
      ['no-flavors', { run_id: 'x' }, 'ARTIFACT_CORRUPT'],
      ['flavor-not-mapping', { flavors: { xgboost: 'model.json' } }, 'ARTIFACT_CORRUPT'],
      ['escape', { flavors: { xgboost: { data: '../../etc/passwd', model_format: 'json' } } }, 'ARTIFACT_CORRUPT'],
      ['absent', { flavors: xgboostFlavor() }, 'ARTIFACT_NOT_FOUND'],
      ['signature-json', { flavors: xgboostFlavor(), signature: { inputs: '[{"type": "double"' } }, 'ARTIFACT_CORRUPT'],
      ['signature-datetime', { flavors: xgboostFlavor(), signature: { inputs: columns(['when'], 'datetime') } }, 'ARTIFACT_UNSUPPORTED_FORMAT'],
      ['deprecated-binary', { flavors: xgboostFlavor('xgb') }, 'ARTIFACT_UNSUPPORTED_FORMAT'],
    ];
    for (const [name, mlmodel, code] of cases) {
      const directory = folder(root, `bad-${name}`, mlmodel, name === 'absent' ? {} : { 'model.json': xgboost, 'model.xgb': 'x' });
      await assert.rejects(openMlflowModelFolder(directory), isCode(code), name);
    }
  });

  it('a local MLflow folder as MODEL_PATH loads through its flavour, with provenance', async () => {
    const directory = folder(root, 'local', { flavors: xgboostFlavor() }, { 'model.json': xgboost });
    const { runtime, provenance } = await openModelWithProvenance(directory);
    assert.deepEqual([provenance.kind, provenance.flavor, runtime.description.name], ['local', 'xgboost', 'local']);
  });
});

describe('MODEL_PATH=s3://bucket/prefix/ is a folder (s3rver)', () => {
  const directory = temporaryDirectory();
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  let s3rver: S3rver;
  let endpoint: string;
  before(async () => {
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'models', configs: [] }] });
    endpoint = `http://127.0.0.1:${((await s3rver.run()) as AddressInfo).port}`;
    const client = s3Client({ endpoint, credentials });
    for (const file of readdirSync(bundledModelDirectory)) {
      await client.send(new PutObjectCommand({ Bucket: 'models', Key: `churn/native/${file}`, Body: readFileSync(join(bundledModelDirectory, file)) }));
    }
    await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'churn/mlflow/MLmodel', Body: stringify({ flavors: xgboostFlavor() }) }));
    await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'churn/mlflow/model.json', Body: readFileSync(xgboostFile) }));
    client.destroy();
  });
  after(async () => {
    await s3rver.close();
    rmSync(directory, { recursive: true, force: true });
  });
  const options = () => ({ attempts: 2, backoffMs: 5, s3: { endpoint, credentials } });

  it('a native artifact folder, pinned by its manifest\'s sha256', async () => {
    const manifestSha = createHash('sha256').update(readFileSync(join(bundledModelDirectory, 'manifest.json'))).digest('hex');
    const { runtime, provenance } = await openModelWithProvenance('s3://models/churn/native/', { ...options(), sha256: manifestSha });
    assert.ok(runtime instanceof NativeRuntime);
    assert.deepEqual([provenance.kind, provenance.sha256], ['s3-folder', manifestSha]);
    await assert.rejects(openModelWithProvenance('s3://models/churn/native/', { ...options(), sha256: '1'.repeat(64) }), isCode('ARTIFACT_CHECKSUM_MISMATCH'));
  });

  it('an MLflow model folder, and an empty prefix is ARTIFACT_NOT_FOUND', async () => {
    const { provenance } = await openModelWithProvenance('s3://models/churn/mlflow/', options());
    assert.equal(provenance.flavor, 'xgboost');
    await assert.rejects(openModelWithProvenance('s3://models/churn/nothing/', options()), isCode('ARTIFACT_NOT_FOUND'));
  });
});

describe('MLflow URIs and store listings', () => {
  it('parses models:/ and runs:/ as MLflow\'s client does', () => {
    assert.deepEqual(parseMlflowUri('models:/churn/007'), { kind: 'version', name: 'churn', version: '7' });
    assert.deepEqual(parseMlflowUri('models:/team@churn@champion'), { kind: 'alias', name: 'team@churn', alias: 'champion' });
    assert.deepEqual(parseMlflowUri('models:/churn/latest'), { kind: 'latest', name: 'churn' });
    assert.deepEqual(parseMlflowUri('models:/churn/Staging'), { kind: 'latest', name: 'churn', stage: 'Staging' });
    assert.deepEqual(parseMlflowUri('models:/m-abc123'), { kind: 'logged-model', modelId: 'm-abc123' });
    assert.deepEqual(parseMlflowUri('runs:/abc123/models/churn/'), { kind: 'run', runId: 'abc123', path: 'models/churn' });
  });

  it('a listed path that would leave the download folder is refused', () => {
    assert.equal(safeRelativePath('store', 'a/b.json'), 'a/b.json');
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a\\b', '.']) assert.throws(() => safeRelativePath('store', bad), isCode('ARTIFACT_CORRUPT'), bad);
  });
});
