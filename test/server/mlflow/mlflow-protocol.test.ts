/**
 * The MLflow scoring protocol over the serving core, without MLflow: every input format gives the same predictions,
 * statuses and error shapes are MLflow's, and `predictions` has the shape MLflow's pyfunc gives each kind of model.
 * That these answers equal `mlflow models serve`'s for the same model version is checked against the real MLflow in
 * test/mlflow (suites/scoring-protocol.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../../src/foundation/package-files.js';
import { openMlflowModelFolder } from '../../../src/runtimes/mlflow-model-folder.js';
import { openModel } from '../../../src/runtimes/open-model.js';
import { dataRecords, temporaryDirectory } from '../../helpers/fixtures.js';
import { predictNativeBatch } from '../../helpers/native-plane.js';
import { columns, mlflowFolder, xgboostFlavor } from '../../helpers/mlflow-folders.js';
import { bundledModel, testApp } from '../app-harness.js';

const xgboostFixture = (name: string) => join(packageRoot, 'test', 'fixtures', 'xgboost', `${name}.model.json`);
const xgboostNames = ['tenure', 'monthly_charges', 'total_charges', 'support_calls', 'contract_months', 'age'];
const json = { 'content-type': 'application/json' };

interface MlflowError { error_code: string; message: string; error: { code: string; message: string; details: { path: string; reason: string }[] } }

async function invoke(app: FastifyInstance, payload: unknown, headers: Record<string, string> = json) {
  const response = await app.inject({ method: 'POST', url: '/invocations', headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  return { status: response.statusCode, body: JSON.parse(response.body) as { predictions: unknown[] } & MlflowError, headers: response.headers };
}

/** The same rows in every input format MLflow takes. */
function everyFormat(records: readonly Record<string, unknown>[], names: readonly string[]): [string, unknown, Record<string, string>?][] {
  const csvValue = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return [
    ['dataframe_split', { dataframe_split: { columns: names, data: records.map((r) => names.map((n) => r[n] ?? null)), index: records.map((_, i) => i) } }],
    ['dataframe_records', { dataframe_records: records }],
    ['instances', { instances: records }],
    ['inputs (records)', { inputs: records }],
    ['inputs (columns)', { inputs: Object.fromEntries(names.map((n) => [n, records.map((r) => r[n] ?? null)])) }],
    ['dataframe_records with params', { dataframe_records: records, params: { output_margin: true } }],
    ['text/csv', [names.join(','), ...records.map((r) => names.map((n) => csvValue(r[n])).join(','))].join('\n') + '\n', { 'content-type': 'text/csv' }],
    ['application/json; charset=utf-8', { dataframe_records: records }, { 'content-type': 'application/json; charset=UTF-8' }],
  ];
}

describe('MLflow scoring protocol: the native model', () => {
  const records = dataRecords().slice(0, 5);
  const features = bundledModel().manifest.schema.features.map((f) => f.name);

  test('every input format answers the same predictions: churnProbability and churn per row, as /predict/batch scores them', async () => {
    const { app } = await testApp();
    try {
      const expected = predictNativeBatch(bundledModel(), records).results.map((r) => ('churnProbability' in r ? { churnProbability: r.churnProbability, churn: r.churn } : r));
      for (const [format, payload, headers] of everyFormat(records, features)) {
        const { status, body } = await invoke(app, payload, headers);
        assert.equal(status, 200, `${format}: ${JSON.stringify(body)}`);
        assert.deepEqual(body.predictions, expected, format);
      }
    } finally {
      await app.close();
    }
  });

  test('GET /ping and /health answer 200 while the model serves; /version names this server\'s version', async () => {
    const { app, core } = await testApp();
    try {
      for (const url of ['/ping', '/health']) assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
      const version = await app.inject({ method: 'GET', url: '/version' });
      assert.equal(version.body, JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version);
      core.state.beginDrain();
      assert.equal((await app.inject({ method: 'GET', url: '/ping' })).statusCode, 503);
    } finally {
      await app.close();
    }
  });

  test('content types MLflow refuses are 415, malformed payloads 400, both in our error shape with MLflow\'s fields', async () => {
    const { app } = await testApp();
    try {
      const cases: [string, unknown, Record<string, string>, number, string][] = [
        ['text/plain', 'abc', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['parquet', 'PAR1', { 'content-type': 'application/vnd.apache.parquet' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['latin-1', '{}', { 'content-type': 'application/json; charset=latin-1' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['a parameter', '{}', { 'content-type': 'application/json; format=pandas-split' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['no content type', '{}', {}, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['bad JSON', '{"dataframe_split":', json, 400, 'MALFORMED_JSON'],
        ['a list', [1, 2], json, 400, 'INVALID_BODY'],
        ['no input field', { foo: 1 }, json, 400, 'INVALID_BODY'],
        ['two input fields', { dataframe_records: [], instances: [] }, json, 400, 'INVALID_BODY'],
        ['split without columns', { dataframe_split: { data: [[1]] } }, json, 400, 'INVALID_BODY'],
        ['split rows of another width', { dataframe_split: { columns: ['a', 'b'], data: [[1]] } }, json, 400, 'INVALID_BODY'],
        ['uneven columns', { inputs: { tenure: [1, 2], Contract: ['Month-to-month'] } }, json, 400, 'INVALID_BODY'],
        ['bad CSV', 'a,b\n"1,2\n', { 'content-type': 'text/csv' }, 400, 'MALFORMED_CSV'],
      ];
      for (const [what, payload, headers, status, code] of cases) {
        const response = await invoke(app, payload, headers);
        assert.equal(response.status, status, `${what}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.error.code, code, what);
        assert.equal(response.body.error_code, 'BAD_REQUEST', what);
        assert.equal(response.body.message, response.body.error.message, what);
      }
    } finally {
      await app.close();
    }
  });

  test('an invalid record is 400 INVALID_PARAMETER_VALUE, its fields pointed at where they are in the body', async () => {
    const { app } = await testApp();
    try {
      const bad = { ...records[1], tenure: -3, Contract: 'Weekly' };
      const pathsOf = async (payload: unknown) => {
        const { status, body } = await invoke(app, payload);
        assert.equal(status, 400);
        assert.deepEqual([body.error_code, body.error.code], ['INVALID_PARAMETER_VALUE', 'INVALID_RECORD']);
        return body.error.details.map((d) => d.path).sort();
      };
      const contract = features.indexOf('Contract');
      const tenure = features.indexOf('tenure');
      assert.deepEqual(await pathsOf({ dataframe_records: [records[0], bad] }), ['/dataframe_records/1/Contract', '/dataframe_records/1/tenure']);
      assert.deepEqual(await pathsOf({ dataframe_split: { columns: features, data: [records[0], bad].map((r) => features.map((n) => (r as Record<string, unknown>)[n])) } }),
        [`/dataframe_split/data/1/${contract}`, `/dataframe_split/data/1/${tenure}`].sort());
      assert.deepEqual(await pathsOf({ inputs: Object.fromEntries(features.map((n) => [n, [records[0], bad].map((r) => (r as Record<string, unknown>)[n])])) }), ['/inputs/Contract/1', '/inputs/tenure/1']);
      const notARecord = await invoke(app, { instances: [records[0], 7] });
      assert.deepEqual([notARecord.status, notARecord.body.error.code, notARecord.body.error.details.map((d) => d.path)], [400, 'INVALID_BODY', ['/instances/1']]);
    } finally {
      await app.close();
    }
  });

  test('MAX_BATCH_SIZE holds for /invocations too (413); an empty frame answers no predictions', async () => {
    const { app } = await testApp({ MAX_BATCH_SIZE: '2' });
    try {
      const { status, body } = await invoke(app, { dataframe_records: records.slice(0, 3) });
      assert.deepEqual([status, body.error.code], [413, 'BATCH_TOO_LARGE']);
      assert.deepEqual((await invoke(app, { dataframe_records: [] })).body, { predictions: [] });
    } finally {
      await app.close();
    }
  });
});

describe('MLflow scoring protocol: what predictions holds for each kind of model', () => {
  const root = temporaryDirectory('churn-mlflow-protocol-');
  after(() => rmSync(root, { recursive: true, force: true }));

  const cases: [string, (expected: { rows: unknown[][]; prediction: unknown[] }) => unknown[]][] = [
    // Booster.predict: a binary model's probability, the classes' probabilities, a multi:softmax model's class, a value.
    ['binary-logistic', (e) => e.prediction],
    ['multi-softprob', (e) => e.prediction],
    ['multi-softmax', (e) => e.prediction],
    ['reg-squarederror', (e) => e.prediction],
  ];
  for (const [fixture, want] of cases) {
    test(`an XGBoost booster (${fixture}) answers what Booster.predict answers`, async () => {
      const expected = JSON.parse(readFileSync(xgboostFixture(fixture).replace('.model.json', '.expected.json'), 'utf8')) as { rows: unknown[][]; prediction: unknown[] };
      const { app } = await testApp({}, await openModel(xgboostFixture(fixture)));
      try {
        const names = xgboostNames;
        const rows = expected.rows.slice(0, 8);
        const { status, body } = await invoke(app, { dataframe_split: { columns: names, data: rows } });
        assert.equal(status, 200, JSON.stringify(body));
        const wanted = want(expected).slice(0, 8);
        assert.equal(body.predictions.length, wanted.length);
        body.predictions.forEach((p, i) => {
          const w = wanted[i];
          if (Array.isArray(w)) (p as number[]).forEach((v, k) => assert.ok(Math.abs(v - (w[k] as number)) < 1e-6, `${fixture} row ${i}`));
          else assert.ok(Math.abs((p as number) - (w as number)) < 1e-6, `${fixture} row ${i}: ${String(p)} vs ${String(w)}`);
        });
      } finally {
        await app.close();
      }
    });
  }

  test('a model logged as a scikit-learn classifier (XGBClassifier) answers class labels; a signature\'s required column must be in the data', async () => {
    const flavors = xgboostFlavor();
    const directory = mlflowFolder(root, 'classifier', {
      flavors: { ...flavors, xgboost: { ...flavors.xgboost, model_class: 'xgboost.sklearn.XGBClassifier' } },
      signature: { inputs: columns(xgboostNames) },
    }, { 'model.json': readFileSync(xgboostFixture('binary-logistic')) });
    const { runtime } = await openMlflowModelFolder(directory);
    const { app } = await testApp({}, runtime);
    try {
      const expected = JSON.parse(readFileSync(xgboostFixture('binary-logistic').replace('.model.json', '.expected.json'), 'utf8')) as { rows: (number | null)[][]; prediction: number[] };
      const rows = expected.rows.slice(0, 10);
      const { body } = await invoke(app, { dataframe_split: { columns: xgboostNames, data: rows } });
      assert.deepEqual(body.predictions, expected.prediction.slice(0, 10).map((p) => (p >= 0.5 ? 1 : 0)));
      const lists = await invoke(app, { instances: rows });
      assert.deepEqual([lists.status, lists.body.error.code], [400, 'INVALID_BODY'], 'rows as lists: the signature names the columns');
      const without = await invoke(app, { dataframe_split: { columns: xgboostNames.slice(1), data: rows.map((r) => r.slice(1)) } });
      assert.deepEqual([without.status, without.body.error.code, without.body.error.details.map((d) => d.path)], [400, 'INVALID_BODY', ['/columns/tenure']]);
    } finally {
      await app.close();
    }
  });

  test('a model without a column signature takes rows as lists, in its inputs\' order', async () => {
    const expected = JSON.parse(readFileSync(xgboostFixture('binary-logistic').replace('.model.json', '.expected.json'), 'utf8')) as { rows: (number | null)[][]; prediction: number[] };
    const { app } = await testApp({}, await openModel(xgboostFixture('binary-logistic')));
    try {
      const { body } = await invoke(app, { inputs: expected.rows.slice(0, 4) });
      (body.predictions as number[]).forEach((p, i) => assert.ok(Math.abs(p - expected.prediction[i]!) < 1e-6));
    } finally {
      await app.close();
    }
  });
});
