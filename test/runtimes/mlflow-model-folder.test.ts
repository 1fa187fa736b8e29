import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { openMlflowModelFolder } from '../../src/runtimes/mlflow-model-folder.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { openModelWithProvenance } from '../../src/runtimes/open-model-from.js';
import { temporaryDirectory } from '../helpers/fixtures.js';
import { encodeRows, predictRecords } from '../helpers/runtime-records.js';
import { columns, isCode, mlflowFolder as folder, xgboostFlavor } from '../helpers/mlflow-folders.js';

const xgboostFile = join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json');
const xgboostNames = ['tenure', 'monthly_charges', 'total_charges', 'support_calls', 'contract_months', 'age'];

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

  it('a signature listing the columns in another order: the schema follows the model\'s order, scores and the one-record path agree', async () => {
    const reversed = JSON.stringify([...xgboostNames].reverse().map((name) => ({ type: 'double', name, required: true })));
    const directory = folder(root, 'reversed', { flavors: xgboostFlavor(), signature: { inputs: reversed } }, { 'model.json': xgboost });
    const { runtime } = await openMlflowModelFolder(directory);
    const plain = await openModel(xgboostFile);
    assert.deepEqual(runtime.description.schema.features.map((f) => f.name), xgboostNames);
    const records = [
      { tenure: 3, monthly_charges: 80.5, total_charges: 241.5, support_calls: 4, contract_months: 1, age: 30 },
      { tenure: 60, monthly_charges: 20, total_charges: 1200, support_calls: 0, contract_months: 24, age: 71 },
    ];
    const expected = (await predictRecords(plain, records))[0]!.data;
    assert.deepEqual((await predictRecords(runtime, records))[0]!.data, expected);
    // The hot path of the data plane (one record, no matrix) is kept through the signature's schema.
    assert.ok(runtime.probability !== undefined);
    records.forEach((record, r) => assert.equal(runtime.probability!(encodeRows(runtime, [record]).x, 0), expected[r]));
    // The signature's columns are required in an MLflow request, in its own order; doubles may hold missing values.
    assert.deepEqual(runtime.description.pyfunc, { flavor: 'xgboost', predictsLabels: false, requiredColumns: [...xgboostNames].reverse() });
    assert.equal(runtime.encoder.encode({ ...records[0], tenure: null }, new Float64Array(runtime.encoder.width)), undefined);
    await runtime.close();
    await plain.close();
  });

  it('a model saved without input names reads them, by position, from the signature', async () => {
    const document = JSON.parse(xgboost.toString('utf8')) as { learner: Record<string, unknown> };
    delete document.learner['feature_names'];
    delete document.learner['feature_types'];
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const directory = folder(root, 'unnamed', { flavors: xgboostFlavor(), signature: { inputs: columns(names) } }, { 'model.json': JSON.stringify(document) });
    const { runtime } = await openMlflowModelFolder(directory);
    assert.deepEqual(runtime.description.schema.features.map((f) => f.name), names);
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
