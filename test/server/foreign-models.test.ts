import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { treeEnsembleNode, valueInfo } from '../../src/export/onnx-export.js';
import { AttributeType, DataType, encodeOnnxModel } from '../../src/export/onnx-messages.js';
import { writeOnnxModel } from '../../src/export/write-onnx-model.js';
import { ChurnError } from '../../src/errors.js';
import { xgboostFromJson } from '../../src/model/formats/xgboost-json.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { buildApp } from '../../src/server/app.js';
import { dataRecords, temporaryDirectory } from '../helpers/fixtures.js';
import { bundledModel, errorOf, testApp, testConfig, testCore } from './app-harness.js';

const fixtures = join(packageRoot, 'test', 'fixtures', 'xgboost');
const json = { 'content-type': 'application/json' };

interface Expected { rows: (number | null)[][]; prediction: number[]; margin: number[]; contributions: number[][] }
const expected = JSON.parse(readFileSync(join(fixtures, 'binary-logistic.expected.json'), 'utf8')) as Expected;
const names = ['tenure', 'monthly_charges', 'total_charges', 'support_calls', 'contract_months', 'age'];
/** The fixture's rows as records keyed by the model's feature names (null = missing). */
const fixtureRecords = expected.rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]])));

/** Warnings and errors the apps logged (a reply sent twice, for one): none is expected. */
const warnings: string[] = [];

async function appOver(modelFile: string, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = testConfig({ LOG_LEVEL: 'warn', ...env });
  const app = buildApp(config, await testCore(config, await openModel(modelFile)), { logStream: { write: (line) => { warnings.push(line); } } });
  await app.ready();
  return app;
}

function assertCode(response: { statusCode: number; body: string }, status: number, code: string) {
  assert.equal(response.statusCode, status, response.body.slice(0, 300));
  const error = errorOf(response.body);
  assert.equal(error.code, code);
  return error;
}

describe('serving an XGBoost binary classifier (MODEL_PATH=model.json)', () => {
  let app: FastifyInstance;
  before(async () => { app = await appOver(join(fixtures, 'binary-logistic.model.json')); });
  after(async () => { await app.close(); });

  test('is ready only after its warm-up, and says what it serves', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    const card = (await app.inject({ method: 'GET', url: '/model' })).json() as Record<string, unknown>;
    assert.equal(card['format'], 'xgboost-json');
    assert.equal(card['task'], 'binary');
    assert.deepEqual((card['inputs'] as { name: string }[]).map((i) => i.name), names);
    assert.equal(card['explains'], true);
    assert.deepEqual(card['endpoints'], ['/predict', '/predict/batch', '/v2/models/binary-logistic.model/infer', '/invocations']);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /churn_model_info\{name="binary-logistic.model",version="1"\} 1/);
  });

  test('POST /predict answers the churn API with XGBoost\'s own probability', async () => {
    for (let r = 0; r < 5; r++) {
      const response = await app.inject({ method: 'POST', url: '/predict', headers: json, payload: { customerID: `c${r}`, ...fixtureRecords[r] } });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json() as { customerID: string; churnProbability: number; churn: boolean; threshold: number; modelVersion: string };
      assert.equal(body.customerID, `c${r}`);
      assert.ok(Math.abs(body.churnProbability - expected.prediction[r]!) < 1e-6);
      assert.equal(body.churn, body.churnProbability >= 0.5);
      assert.equal(body.threshold, 0.5);
      assert.equal(body.modelVersion, '1');
    }
  });

  test('a bad field is 422 INVALID_RECORD with its path, as for the native model', async () => {
    const error = assertCode(await app.inject({ method: 'POST', url: '/predict', headers: json, payload: { ...fixtureRecords[0], age: 'old' } }), 422, 'INVALID_RECORD');
    assert.deepEqual(error.details.map((d) => [d.path, d.reason]), [['/age', 'type']]);
    const whole = assertCode(await app.inject({ method: 'POST', url: '/predict', headers: json, payload: '"a string"' }), 422, 'INVALID_RECORD');
    assert.deepEqual(whole.details.map((d) => [d.path, d.reason]), [['', 'not_object']]);
  });

  test('a batch scores the good records and gives each bad one its own error entry', async () => {
    const records = [fixtureRecords[0], { ...fixtureRecords[1], tenure: 'x' }, fixtureRecords[2], 'not a record', fixtureRecords[3]];
    const response = await app.inject({ method: 'POST', url: '/predict/batch', headers: json, payload: { records } });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as { count: number; failed: number; results: { churnProbability?: number; error?: { code: string; details: { path: string }[] } }[] };
    assert.equal(body.count, 5);
    assert.equal(body.failed, 2);
    assert.deepEqual(body.results[1]!.error!.details.map((d) => d.path), ['/records/1/tenure']);
    assert.deepEqual(body.results[3]!.error!.details.map((d) => d.path), ['/records/3']);
    for (const [i, r] of [[0, 0], [2, 2], [4, 3]] as const) assert.ok(Math.abs(body.results[i]!.churnProbability! - expected.prediction[r]!) < 1e-6);
  });

  test('?explain=true gives XGBoost\'s pred_contribs, additive to the margin', async () => {
    const response = await app.inject({ method: 'POST', url: '/predict/batch?explain=true', headers: json, payload: { records: fixtureRecords.slice(0, 10) } });
    const body = response.json() as { results: { explanation: { baseValue: number; margin: number; contributions: { feature: string; contribution: number }[]; reasons: string[] } }[] };
    body.results.forEach(({ explanation }, r) => {
      assert.ok(Math.abs(explanation.margin - expected.margin[r]!) < 1e-5);
      assert.ok(Math.abs(explanation.baseValue - expected.contributions[r]!.at(-1)!) < 1e-5);
      for (const { feature, contribution } of explanation.contributions) {
        assert.ok(Math.abs(contribution - expected.contributions[r]![names.indexOf(feature)]!) < 1e-5, feature);
      }
      const sum = explanation.contributions.reduce((s, c) => s + c.contribution, explanation.baseValue);
      assert.ok(Math.abs(sum - explanation.margin) < 1e-9);
      assert.ok(explanation.reasons.length > 0);
    });
  });

  test('CSV in and out, blank cells missing', async () => {
    const csv = `customerID,${names.join(',')}\na,19,97.7,4318.2,2,24,43\nb,,,,,,\n`;
    const response = await app.inject({ method: 'POST', url: '/predict/batch', headers: { 'content-type': 'text/csv', accept: 'text/csv' }, payload: csv });
    assert.equal(response.statusCode, 200, response.body);
    const lines = response.body.trim().split('\n');
    assert.equal(lines[0], 'customerID,churnProbability,churn,error');
    assert.match(lines[1]!, /^a,0\.\d+,(true|false),$/);
    assert.match(lines[2]!, /^b,0\.\d+,(true|false),$/);
  });

  test('DECISION_THRESHOLD overrides the model\'s, in /predict and the card', async () => {
    const strict = await appOver(join(fixtures, 'binary-logistic.model.json'), { DECISION_THRESHOLD: '0.99' });
    try {
      const body = (await strict.inject({ method: 'POST', url: '/predict', headers: json, payload: fixtureRecords[0] })).json() as { churn: boolean; threshold: number; churnProbability: number };
      assert.equal(body.threshold, 0.99);
      assert.equal(body.churn, body.churnProbability >= 0.99);
      const card = (await strict.inject({ method: 'GET', url: '/model' })).json() as { threshold: { value: number; overridden: boolean } };
      assert.deepEqual([card.threshold.value, card.threshold.overridden], [0.99, true]);
    } finally {
      await strict.close();
    }
  });

  test('the V2 protocol serves the same model', async () => {
    const payload = { inputs: [{ name: 'input-0', datatype: 'FP32', shape: [2, 6], data: expected.rows.slice(0, 2).map((row) => row.map((v) => v ?? 0)) }] };
    const response = await app.inject({ method: 'POST', url: '/v2/models/binary-logistic.model/infer', headers: json, payload });
    assert.equal(response.statusCode, 200, response.body);
    const outputs = (response.json() as { outputs: { name: string; data: number[] }[] }).outputs;
    assert.deepEqual(outputs.map((o) => o.name), ['probability', 'label']);
  });
});

describe('serving models /predict cannot describe', () => {
  test('a multiclass XGBoost model answers V2 and /model; /predict does not exist', async () => {
    const app = await appOver(join(fixtures, 'multi-softprob.model.json'));
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      assertCode(await app.inject({ method: 'POST', url: '/predict', headers: json, payload: {} }), 404, 'NOT_FOUND');
      const card = (await app.inject({ method: 'GET', url: '/model' })).json() as { task: string; endpoints: string[]; threshold?: unknown };
      assert.equal(card.task, 'multiclass');
      assert.equal(card.threshold, undefined);
      assert.deepEqual(card.endpoints, ['/v2/models/multi-softprob.model/infer', '/invocations']);
      const ready = await app.inject({ method: 'GET', url: '/v2/models/multi-softprob.model/ready' });
      assert.equal(ready.statusCode, 200);
    } finally {
      await app.close();
    }
  });
});

describe('serving LightGBM text and XGBoost UBJSON models (MODEL_PATH=model.txt, model.ubj)', () => {
  const treeModels = join(packageRoot, 'test', 'fixtures', 'tree-models');
  const lightgbmFile = join(treeModels, 'lightgbm-4.6.0', 'binary-categorical.txt');
  let lightgbm: FastifyInstance;
  before(async () => { lightgbm = await appOver(lightgbmFile); });
  after(async () => { await lightgbm.close(); });

  test('GET /model says which library trained it, its objective and trees; V2 metadata names the platform and takes categories as BYTES', async () => {
    const card = (await lightgbm.inject({ method: 'GET', url: '/model' })).json() as Record<string, unknown>;
    assert.deepEqual(
      [card['format'], card['task'], card['library'], card['libraryVersion'], card['objective'], card['trees'], card['explains']],
      ['lightgbm-text', 'binary', 'lightgbm', 'v4', 'binary sigmoid:1', 8, true],
    );
    assert.deepEqual((card['inputs'] as { name: string; categories?: string[] }[]).find((i) => i.name === 'Contract')?.categories, ['Month-to-month', 'One year', 'Two year']);
    const metadata = (await lightgbm.inject({ method: 'GET', url: '/v2/models/binary-categorical' })).json() as { platform: string; inputs: { name: string; datatype: string }[] };
    assert.equal(metadata.platform, 'lightgbm');
    assert.equal(metadata.inputs.find((i) => i.name === 'Contract')?.datatype, 'BYTES');
    assert.equal(metadata.inputs.find((i) => i.name === 'tenure')?.datatype, 'FP64');
    for (const [file, platform, version] of [['categorical.ubj', 'xgboost_ubj', '3.2.0'], ['categorical.json', 'xgboost_json', '3.2.0']] as const) {
      const app = await appOver(join(treeModels, 'xgboost-3.2.0', file));
      try {
        const meta = (await app.inject({ method: 'GET', url: '/v2/models/categorical' })).json() as { platform: string };
        assert.equal(meta.platform, platform);
        const xgbCard = (await app.inject({ method: 'GET', url: '/model' })).json() as Record<string, unknown>;
        assert.deepEqual([xgbCard['library'], xgbCard['libraryVersion'], xgbCard['objective']], ['xgboost', version, 'binary:logistic']);
        assert.ok(typeof xgbCard['trees'] === 'number' && xgbCard['trees'] > 0);
      } finally {
        await app.close();
      }
    }
  });

  test('scores the data file\'s customers by category name (CSV, blank TotalCharges missing); an unknown or missing category is 422 with its path', async () => {
    const text = readFileSync(join(packageRoot, 'data', 'telco-customer-churn.csv'), 'utf8').split('\n').slice(0, 501).join('\n') + '\n';
    const response = await lightgbm.inject({ method: 'POST', url: '/predict/batch', headers: { 'content-type': 'text/csv' }, payload: text });
    assert.equal(response.statusCode, 200, response.body.slice(0, 300));
    const body = response.json() as { count: number; failed: number; results: { churnProbability: number }[] };
    assert.deepEqual([body.count, body.failed], [500, 0]);
    assert.ok(body.results.every((r) => r.churnProbability > 0 && r.churnProbability < 1));
    const record = dataRecords()[0]!;
    const unknown = assertCode(await lightgbm.inject({ method: 'POST', url: '/predict', headers: json, payload: { ...record, Contract: 'Weekly' } }), 422, 'INVALID_RECORD');
    assert.deepEqual(unknown.details.map((d) => [d.path, d.reason]), [['/Contract', 'category']]);
    const missing = assertCode(await lightgbm.inject({ method: 'POST', url: '/predict', headers: json, payload: { ...record, Contract: null } }), 422, 'INVALID_RECORD');
    assert.deepEqual(missing.details.map((d) => [d.path, d.reason]), [['/Contract', 'required']]);
  });

  test('a multi-class LightGBM model: V2 answers its classes, /predict does not exist, contributions are refused', async () => {
    const app = await appOver(join(treeModels, 'lightgbm-4.6.0', 'multiclass.txt'));
    try {
      assertCode(await app.inject({ method: 'POST', url: '/predict', headers: json, payload: {} }), 404, 'NOT_FOUND');
      const card = (await app.inject({ method: 'GET', url: '/model' })).json() as Record<string, unknown>;
      assert.deepEqual([card['task'], card['classes'], card['explains']], ['multiclass', 3, false]);
      const metadata = (await app.inject({ method: 'GET', url: '/v2/models/multiclass' })).json() as { outputs: { name: string; shape: number[] }[] };
      assert.deepEqual(metadata.outputs.map((o) => [o.name, o.shape]), [['probability', [-1, 3]], ['label', [-1]]]);
      const features = (card['inputs'] as { name: string }[]).map((i) => i.name);
      const payload = { inputs: [{ name: 'x', datatype: 'FP64', shape: [1, features.length], data: features.map(() => 1) }], parameters: { explain: true } };
      const refused = await app.inject({ method: 'POST', url: '/v2/models/multiclass/infer', headers: json, payload });
      assert.equal(refused.statusCode, 400, refused.body);
    } finally {
      await app.close();
    }
  });
});

describe('serving the bundled model exported to ONNX (MODEL_PATH=churn.onnx)', () => {
  const directory = temporaryDirectory();
  let app: FastifyInstance;
  before(async () => {
    const file = join(directory, 'churn.onnx');
    writeOnnxModel(bundledModel(), file);
    app = await appOver(file);
  });
  after(async () => {
    await app.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('scores the data file as the native model does (1e-5), with the native threshold', async () => {
    const records = dataRecords().slice(0, 200);
    const onnx = (await app.inject({ method: 'POST', url: '/predict/batch', headers: json, payload: { records } })).json() as { threshold: number; failed: number; results: { churnProbability: number; churn: boolean }[] };
    const { app: native } = await testApp();
    try {
      const reference = (await native.inject({ method: 'POST', url: '/predict/batch', headers: json, payload: { records } })).json() as typeof onnx;
      assert.equal(onnx.failed, 0);
      assert.equal(onnx.threshold, reference.threshold);
      onnx.results.forEach((result, i) => assert.ok(Math.abs(result.churnProbability - reference.results[i]!.churnProbability) < 1e-5, `record ${i}`));
    } finally {
      await native.close();
    }
  });

  test('validates records against the schema in its manifest: categories and ranges, with field paths', async () => {
    const record = { ...dataRecords()[0], Contract: 'Weekly', tenure: -3 };
    const error = assertCode(await app.inject({ method: 'POST', url: '/predict', headers: json, payload: record }), 422, 'INVALID_RECORD');
    assert.deepEqual(error.details.map((d) => [d.path, d.reason]).sort(), [['/Contract', 'category'], ['/tenure', 'range']]);
  });

  test('asks for an explanation it cannot give: 400 BAD_REQUEST, not a wrong answer', async () => {
    const error = assertCode(await app.inject({ method: 'POST', url: '/predict?explain=true', headers: json, payload: dataRecords()[0] }), 400, 'BAD_REQUEST');
    assert.equal(error.details[0]?.path, '/explain');
  });
});


/**
 * A binary classifier as skl2onnx and onnxmltools write it (zipmap off): `output_label` [N] and
 * `output_probability` [N, 2], both classes' probabilities. Its trees are the XGBoost fixture's.
 */
function writeSklearnStyleOnnx(file: string, probabilityName: string): void {
  const xgb = xgboostFromJson('binary-logistic', readFileSync(join(fixtures, 'binary-logistic.model.json'), 'utf8'));
  writeFileSync(file, encodeOnnxModel({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }],
    graph: {
      name: 'sklearn-style',
      initializer: [{ name: 'one', dataType: DataType.FLOAT, dims: [], floatData: [1] }],
      node: [
        treeEnsembleNode(xgb.groups[0]!, 'input', 'margin', 'float'),
        { opType: 'Sigmoid', input: ['margin'], output: ['positive'] },
        { opType: 'Sub', input: ['one', 'positive'], output: ['negative'] },
        { opType: 'Concat', input: ['negative', 'positive'], output: [probabilityName], attribute: [{ name: 'axis', type: AttributeType.INT, i: 1 }] },
        { opType: 'ArgMax', input: [probabilityName], output: ['output_label'], attribute: [{ name: 'axis', type: AttributeType.INT, i: 1 }, { name: 'keepdims', type: AttributeType.INT, i: 0 }] },
      ],
      input: [valueInfo('input', DataType.FLOAT, ['N', 6])],
      output: [valueInfo('output_label', DataType.INT64, ['N']), valueInfo(probabilityName, DataType.FLOAT, ['N', 2])],
    },
  }));
}

describe('serving a binary classifier exported by skl2onnx (probabilities of both classes, [N, 2])', () => {
  const directory = temporaryDirectory();
  after(() => rmSync(directory, { recursive: true, force: true }));

  test('/predict reads the positive class: XGBoost\'s probability (1e-6), at the manifest\'s threshold', async () => {
    const file = join(directory, 'sklearn.onnx');
    writeSklearnStyleOnnx(file, 'output_probability');
    writeFileSync(join(directory, 'sklearn.manifest.json'), JSON.stringify({ name: 'churn-sklearn', version: '2', inputs: names, threshold: 0.4 }));
    const app = await appOver(file);
    try {
      const card = (await app.inject({ method: 'GET', url: '/model' })).json() as { task: string; endpoints: string[] };
      assert.equal(card.task, 'binary');
      assert.ok(card.endpoints.includes('/predict'));
      const body = (await app.inject({ method: 'POST', url: '/predict/batch', headers: json, payload: { records: fixtureRecords.slice(0, 10) } })).json() as { threshold: number; results: { churnProbability: number; churn: boolean }[] };
      assert.equal(body.threshold, 0.4);
      body.results.forEach((r, i) => {
        assert.ok(Math.abs(r.churnProbability - expected.prediction[i]!) < 1e-6, `record ${i}`);
        assert.equal(r.churn, r.churnProbability >= 0.4);
      });
    } finally {
      await app.close();
    }
  });

  test('a manifest names an output with another name; a name the model lacks stops start-up', async () => {
    const file = join(directory, 'renamed.onnx');
    writeSklearnStyleOnnx(file, 'scores');
    const manifest = join(directory, 'renamed.manifest.json');
    writeFileSync(manifest, JSON.stringify({ inputs: names, probabilityOutput: 'scores' }));
    const app = await appOver(file);
    try {
      const response = await app.inject({ method: 'POST', url: '/predict', headers: json, payload: fixtureRecords[0] });
      assert.ok(Math.abs((response.json() as { churnProbability: number }).churnProbability - expected.prediction[0]!) < 1e-6);
    } finally {
      await app.close();
    }
    writeFileSync(manifest, JSON.stringify({ inputs: names, probabilityOutput: 'proba' }));
    await assert.rejects(openModel(file), (e: unknown) => e instanceof ChurnError && e.code === 'ARTIFACT_SCHEMA_MISMATCH');
  });
});

test('no app logged a warning or an error', () => {
  assert.deepEqual(warnings, []);
});
