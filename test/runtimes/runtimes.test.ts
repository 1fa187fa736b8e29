import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ChurnError } from '../../src/errors.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { dataRecords, temporaryDirectory } from '../helpers/fixtures.js';
import { predictRecords } from '../helpers/runtime-records.js';
import { DataPlane } from '../../src/serving/data-plane.js';
import { runtimeContract } from './runtime-contract.js';

const fixtures = join(packageRoot, 'test', 'fixtures', 'xgboost');
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
    await assertCode(openModel(ranking), 'ARTIFACT_UNSUPPORTED_FORMAT');
  });
});
