import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ChurnError } from '../../src/errors.js';
import type { FeatureSchema, FeatureSpec } from '../../src/features/schema.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import type { ModelRuntime } from '../../src/runtimes/model-runtime.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { dataRecords, temporaryDirectory } from '../helpers/fixtures.js';
import { encodeRows, explainRecords, predictRecords } from '../helpers/runtime-records.js';
import { DataPlane } from '../../src/serving/data-plane.js';
import { runtimeContract } from './runtime-contract.js';

const fixtures = join(packageRoot, 'test', 'fixtures', 'xgboost');
const treeModels = join(packageRoot, 'test', 'fixtures', 'tree-models');
const work = temporaryDirectory();
after(() => rmSync(work, { recursive: true, force: true }));

/** Fixture rows as records keyed by the model's input names (null = missing). */
function xgboostRecords(name: string, inputs: readonly string[]): Record<string, unknown>[] {
  const { rows } = JSON.parse(readFileSync(join(fixtures, `${name}.expected.json`), 'utf8')) as { rows: (number | null)[][] };
  return rows.slice(0, 5).map((row) => Object.fromEntries(inputs.map((n, i) => [n, row[i]])));
}

async function assertCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => e instanceof ChurnError && e.code === code);
}

describe('runtime contract: native artifact', () => {
  const records = dataRecords().slice(0, 5);
  runtimeContract({
    open: () => openModel(bundledModelDirectory),
    valid: records,
    invalid: { ...records[1], tenure: 'long' },
  });
});

for (const name of ['binary-logistic', 'reg-logistic', 'reg-squarederror', 'multi-softprob', 'multi-softmax']) {
  describe(`runtime contract: XGBoost ${name}`, () => {
    const inputs = name === 'reg-logistic'
      ? ['f0', 'f1', 'f2', 'f3', 'f4', 'f5']
      : ['tenure', 'monthly_charges', 'total_charges', 'support_calls', 'contract_months', 'age'];
    const records = xgboostRecords(name, inputs);
    runtimeContract({
      open: () => openModel(join(fixtures, `${name}.model.json`)),
      valid: records,
      invalid: { ...records[1], [inputs[0]!]: '12' },
    });
  });
}

/**
 * A tree-model fixture's valid records: its records with category names where it has them (XGBoost >= 3.1,
 * LightGBM), the first four (the others hold an unseen name and a missing one); else its numeric rows.
 */
function treeModelRecords(path: string): Record<string, unknown>[] {
  const expected = JSON.parse(readFileSync(join(treeModels, `${path}.expected.json`), 'utf8')) as {
    features: string[]; rows: (number | null)[][]; records?: { rows: Record<string, unknown>[] };
  };
  return expected.records?.rows.slice(0, 4) ?? expected.rows.slice(0, 6).map((row) => Object.fromEntries(expected.features.map((n, i) => [n, row[i]])));
}

for (const [path, file] of [
  ['xgboost-3.2.0/categorical', 'categorical.ubj'], ['xgboost-2.1.4/binary-logistic-depth3', 'binary-logistic-depth3.ubj'],
  ['lightgbm-4.6.0/binary-categorical', 'binary-categorical.txt'], ['lightgbm-4.6.0/multiclass', 'multiclass.txt'],
  ['lightgbm-4.6.0/regression-sqrt', 'regression-sqrt.txt'], ['lightgbm-4.6.0/multiclassova', 'multiclassova.txt'],
  ['lightgbm-4.6.0/random-forest', 'random-forest.txt'], ['xgboost-1.7.6/categorical', 'categorical.json'],
  ['xgboost-3.2.0/multi-softmax', 'multi-softmax.ubj'],
] as const) {
  describe(`runtime contract: ${path} (${file})`, () => {
    const records = treeModelRecords(path);
    runtimeContract({
      open: () => openModel(join(treeModels, path.split('/')[0]!, file)),
      valid: records,
      invalid: { ...records[1], tenure: 'long' },
      probabilitiesSumToOne: !file.startsWith('multiclassova'),
    });
  });
}

describe('model selection by MODEL_PATH', () => {
  it('reads the XGBoost model feature names, or the sidecar manifest (name, version, inputs, threshold)', async () => {
    const plain = await openModel(join(fixtures, 'reg-logistic.model.json'));
    assert.deepEqual(plain.description.schema.features.map((f) => f.name), ['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);
    assert.equal(plain.description.name, 'reg-logistic.model');
    const dir = join(work, 'sidecar');
    mkdirSync(dir);
    copyFileSync(join(fixtures, 'binary-logistic.model.json'), join(dir, 'churn.json'));
    const inputs = ['a', 'b', 'c', 'd', 'e', 'f'];
    writeFileSync(join(dir, 'churn.manifest.json'), JSON.stringify({ name: 'churn-xgb', version: '3', inputs, threshold: 0 }));
    const runtime = await openModel(join(dir, 'churn.json'));
    assert.equal(runtime.description.name, 'churn-xgb');
    assert.equal(runtime.description.version, '3');
    assert.deepEqual(runtime.description.schema.features.map((f) => f.name), inputs);
    const plane = new DataPlane(runtime, { maxBatchSize: 10 });
    const { outputs } = await plane.infer(xgboostRecords('binary-logistic', inputs), { outputs: ['label'] }, 'v2');
    assert.ok(outputs[0]!.data.every((v) => v === 1), 'the manifest\'s threshold 0 makes every record positive');
    writeFileSync(join(dir, 'churn.manifest.json'), JSON.stringify({ inputs: ['only-one'] }));
    await assertCode(openModel(join(dir, 'churn.json')), 'ARTIFACT_SCHEMA_MISMATCH');
    writeFileSync(join(dir, 'churn.manifest.json'), '{"name": 5}');
    await assertCode(openModel(join(dir, 'churn.json')), 'ARTIFACT_CORRUPT');
  });

  it('reads base_score in the forms XGBoost 1.7 ("5E-1"), 2.x and 3.x ("[5E-1]") write, to the same predictions', async () => {
    const source = readFileSync(join(fixtures, 'binary-logistic.model.json'), 'utf8');
    const document = JSON.parse(source) as { learner: { learner_model_param: { base_score: string } } };
    const base = document.learner.learner_model_param.base_score;
    const scores: number[][] = [];
    for (const form of [base, `[${base}]`, Number(base)]) {
      document.learner.learner_model_param.base_score = form as string;
      const file = join(work, `base-${scores.length}.json`);
      writeFileSync(file, JSON.stringify(document));
      const [probability] = await predictRecords(await openModel(file), xgboostRecords('binary-logistic', ['tenure', 'monthly_charges', 'total_charges', 'support_calls', 'contract_months', 'age']));
      scores.push([...probability!.data]);
    }
    assert.deepEqual(scores[1], scores[0]);
    assert.deepEqual(scores[2], scores[0]);
  });

  it('stops with a clear error for unknown formats, missing files, truncated models and unsupported objectives', async () => {
    const unknown = join(work, 'model.pkl');
    writeFileSync(unknown, 'x');
    await assertCode(openModel(unknown), 'ARTIFACT_UNSUPPORTED_FORMAT');
    await assertCode(openModel(join(work, 'absent.json')), 'ARTIFACT_NOT_FOUND');
    const source = readFileSync(join(fixtures, 'binary-logistic.model.json'), 'utf8');
    const truncated = join(work, 'truncated.json');
    writeFileSync(truncated, source.slice(0, source.length / 2));
    await assertCode(openModel(truncated), 'ARTIFACT_CORRUPT');
    const notXgboost = join(work, 'other.json');
    writeFileSync(notXgboost, '{"hello": 1}');
    await assertCode(openModel(notXgboost), 'ARTIFACT_CORRUPT');
    const ranking = join(work, 'rank.json');
    writeFileSync(ranking, source.replace('"name":"binary:logistic"', '"name":"rank:pairwise"'));
    await assertCode(openModel(ranking), 'MODEL_UNSUPPORTED');
    const lightgbmAsJson = join(work, 'lightgbm.json');
    copyFileSync(join(treeModels, 'lightgbm-4.6.0', 'multiclass.txt'), lightgbmAsJson);
    await assertCode(openModel(lightgbmAsJson), 'ARTIFACT_UNSUPPORTED_FORMAT');
    const xgboostAsText = join(work, 'xgboost.txt');
    copyFileSync(join(fixtures, 'binary-logistic.model.json'), xgboostAsText);
    await assertCode(openModel(xgboostAsText), 'ARTIFACT_UNSUPPORTED_FORMAT');
    const lightgbm = readFileSync(join(treeModels, 'lightgbm-4.6.0', 'binary-categorical.txt'), 'utf8');
    const truncatedText = join(work, 'truncated.txt');
    writeFileSync(truncatedText, lightgbm.slice(0, lightgbm.indexOf('end of trees')));
    await assertCode(openModel(truncatedText), 'ARTIFACT_CORRUPT');
    const lambdarank = join(work, 'lambdarank.txt');
    writeFileSync(lambdarank, lightgbm.replace(/^objective=.*$/m, 'objective=lambdarank'));
    await assertCode(openModel(lambdarank), 'MODEL_UNSUPPORTED');
    const ubj = readFileSync(join(treeModels, 'xgboost-2.1.4', 'binary-logistic-depth3.ubj'));
    const truncatedUbj = join(work, 'truncated.ubj');
    writeFileSync(truncatedUbj, ubj.subarray(0, ubj.length >> 1));
    await assertCode(openModel(truncatedUbj), 'ARTIFACT_CORRUPT');
    const dart = join(work, 'dart.json');
    writeFileSync(dart, source.replace('"name":"gbtree"', '"name":"dart"'));
    await assertCode(openModel(dart), 'MODEL_UNSUPPORTED');
  });

  it('serves XGBoost UBJSON (.ubj) and LightGBM text (.txt) models with their format and the categories the file carries', async () => {
    const feature = (runtime: ModelRuntime, name: string) => runtime.description.schema.features.find((f) => f.name === name);
    const ubj = await openModel(join(treeModels, 'xgboost-3.2.0', 'categorical.ubj'));
    assert.equal(ubj.description.format, 'xgboost-ubjson');
    assert.deepEqual(feature(ubj, 'Contract'), {
      name: 'Contract', kind: 'categorical', description: 'Input "Contract" of the model', categories: ['Month-to-month', 'One year', 'Two year'], nullable: false,
    });
    const lightgbm = await openModel(join(treeModels, 'lightgbm-4.6.0', 'binary-categorical.txt'));
    assert.equal(lightgbm.description.format, 'lightgbm-text');
    assert.equal(lightgbm.description.task, 'binary');
    assert.equal(feature(lightgbm, 'tenure')?.kind, 'numeric');
    assert.equal(feature(lightgbm, 'PaymentMethod')?.kind, 'categorical');
    assert.deepEqual(lightgbm.description.card, { library: 'lightgbm', libraryVersion: 'v4', objective: 'binary sigmoid:1', trees: 8 });
    const multiclass = await openModel(join(treeModels, 'lightgbm-4.6.0', 'multiclass.txt'));
    assert.equal(multiclass.description.task, 'multiclass');
    assert.equal(multiclass.explain, undefined);
    assert.equal(multiclass.probability, undefined);
  });

  it('a tree model\'s sidecar schema names the codes of its categories, bounds its numbers, may reorder its features, and must match the model', async () => {
    const expected = JSON.parse(readFileSync(join(treeModels, 'xgboost-1.7.6', 'categorical.expected.json'), 'utf8')) as {
      features: string[]; categorical: Record<string, string[]>; probes: Record<string, [number, number]>; rows: (number | null)[][]; prediction: number[]; contributions: number[][][];
    };
    const dir = join(work, 'tree-schema');
    mkdirSync(dir);
    const model = join(dir, 'churn.json');
    copyFileSync(join(treeModels, 'xgboost-1.7.6', 'categorical.json'), model);
    // Features in reverse order: the schema, not the file, orders records' contributions.
    const features: FeatureSpec[] = expected.features.map((name): FeatureSpec => (expected.categorical[name] !== undefined
      ? { name, kind: 'categorical', description: name, categories: expected.categorical[name]!, nullable: false }
      : { name, kind: 'numeric', description: name, integer: false, minimum: name === 'tenure' ? 0 : -1e300, maximum: name === 'tenure' ? 100 : 1e300, nullable: true })).reverse();
    const schema: FeatureSchema = { name: 'churn-xgb', version: '1', idField: 'customerID', features, target: { name: 'Churn', positive: 'Yes', negative: 'No' } };
    writeFileSync(join(dir, 'churn.manifest.json'), JSON.stringify({ schema }));
    const runtime = await openModel(model);
    assert.deepEqual(runtime.description.schema.features.map((f) => f.name), features.map((f) => f.name));
    const [start, end] = expected.probes['data']!;
    const records = expected.rows.slice(start, end).map((row) => Object.fromEntries(expected.features.map((name, c) => [name, expected.categorical[name]?.[row[c]!] ?? row[c]])));
    const [probability] = await predictRecords(runtime, records);
    records.forEach((_, r) => assert.ok(Math.abs(probability!.data[r]! - expected.prediction[start + r]!) < 1e-6, `record ${r}`));
    const contributions = await explainRecords(runtime, records);
    records.forEach((_, r) => features.forEach((f, i) => {
      const want = expected.contributions[start + r]![0]![expected.features.indexOf(f.name)]!;
      assert.ok(Math.abs(contributions.data[r * contributions.width + i]! - want) < 1e-5, `record ${r} ${f.name}`);
    }));
    assert.throws(() => encodeRows(runtime, [{ ...records[0], tenure: -1, Contract: 3 }]), (e: unknown) => e instanceof ChurnError
      && JSON.stringify(e.details.map((d) => [d.path, d.reason]).sort()) === JSON.stringify([['/0/Contract', 'type'], ['/0/tenure', 'range']]));
    const mismatched = async (edit: (f: FeatureSpec[]) => FeatureSpec[]) => {
      writeFileSync(join(dir, 'churn.manifest.json'), JSON.stringify({ schema: { ...schema, features: edit([...features]) } }));
      await assertCode(openModel(model), 'ARTIFACT_SCHEMA_MISMATCH');
    };
    await mismatched((f) => f.slice(1));
    await mismatched((f) => f.map((spec) => (spec.name === 'tenure' ? { ...spec, name: 'months' } : spec)));
    await mismatched((f) => f.map((spec): FeatureSpec => (spec.name === 'tenure' ? { name: 'tenure', kind: 'categorical', description: '', categories: ['a', 'b'], nullable: false } : spec)));
    // A file that names its categories fixes their order: the schema must list them so.
    const lightgbmDir = join(work, 'lightgbm-schema');
    mkdirSync(lightgbmDir);
    copyFileSync(join(treeModels, 'lightgbm-4.6.0', 'binary-categorical.txt'), join(lightgbmDir, 'churn.txt'));
    const lightgbmSchema = { ...schema, features: features.map((f) => (f.name === 'Contract' && f.kind === 'categorical' ? { ...f, categories: [...f.categories].reverse() } : f)) };
    writeFileSync(join(lightgbmDir, 'churn.manifest.json'), JSON.stringify({ schema: lightgbmSchema }));
    await assertCode(openModel(join(lightgbmDir, 'churn.txt')), 'ARTIFACT_SCHEMA_MISMATCH');
    writeFileSync(join(lightgbmDir, 'churn.manifest.json'), JSON.stringify({ schema }));
    assert.equal((await openModel(join(lightgbmDir, 'churn.txt'))).description.schema.features.length, features.length);
  });

  it('takes a categorical split\'s code as a number when the file names no categories (XGBoost before 3.1)', async () => {
    const runtime = await openModel(join(treeModels, 'xgboost-1.7.6', 'categorical.json'));
    const contract = runtime.description.schema.features.find((f) => f.name === 'Contract')!;
    assert.equal(contract.kind, 'numeric');
    assert.match(contract.description, /category code/);
    assert.deepEqual(runtime.description.card, { library: 'xgboost', libraryVersion: '1.7.6', objective: 'binary:logistic', trees: runtime.description.card!['trees'] });
  });
});
