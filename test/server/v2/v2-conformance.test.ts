/**
 * Conformance with the Open Inference Protocol V2 REST specification (kserve/open-inference-protocol,
 * inference_rest.md), written from its rules: health, server and model metadata, and inference with named
 * tensors (shape, datatype, nested or flat data), `id` echo, `outputs` filtering and `{"error"}` bodies.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { bundledModelDirectory } from '../../../src/model/bundled-model.js';
import { packageRoot } from '../../../src/foundation/package-files.js';
import type { ModelRuntime } from '../../../src/runtimes/model-runtime.js';
import { openModel } from '../../../src/runtimes/open-model.js';
import { buildApp } from '../../../src/server/app.js';
import { DataPlane } from '../../../src/serving/data-plane.js';
import { ServingMetrics } from '../../../src/serving/metrics/serving-metrics.js';
import { ServingCore } from '../../../src/serving/serving-core.js';
import type { ServingCore as Core } from '../../../src/serving/serving-core.js';
import { dataRecords } from '../../helpers/fixtures.js';
import { predictNativeBatch } from '../../helpers/native-plane.js';
import { predictRecords } from '../../helpers/runtime-records.js';
import { bundledModel, testApp, testConfig } from '../app-harness.js';

/** The whole server over a runtime: V2 is served by the same app, core and scopes as /predict. */
async function v2App(runtime: ModelRuntime): Promise<{ app: FastifyInstance; core: Core }> {
  const { app, core } = await testApp({}, runtime);
  return { app, core };
}

function json(response: { body: string }): Record<string, any> {
  return JSON.parse(response.body) as Record<string, any>;
}

/** One pd-style input per feature for these records. */
function columnInputs(records: Record<string, unknown>[], runtime: ModelRuntime, nested = false) {
  return runtime.description.schema.features.map((input) => {
    const data = records.map((r) => r[input.name] ?? null);
    return {
      name: input.name,
      datatype: input.kind === 'categorical' ? 'BYTES' : 'FP64',
      shape: nested ? [records.length, 1] : [records.length],
      data: nested ? data.map((v) => [v]) : data,
    };
  });
}

describe('Open Inference Protocol V2: native churn model', () => {
  let app: FastifyInstance;
  let runtime: ModelRuntime;
  const records = dataRecords().slice(0, 4);
  before(async () => {
    runtime = await openModel(bundledModelDirectory);
    ({ app } = await v2App(runtime));
  });
  after(async () => { await app.close(); });
  const name = () => runtime.description.name;
  const infer = (body: unknown, path = `/v2/models/${name()}/infer`) => app.inject({ method: 'POST', url: path, payload: body as object });

  it('health: live and ready answer 200 with their boolean; while draining, ready is 503 and inference is still served', async () => {
    assert.deepEqual(json(await app.inject('/v2/health/live')), { live: true });
    assert.deepEqual(json(await app.inject('/v2/health/ready')), { ready: true });
    assert.equal((await app.inject(`/v2/models/${name()}/ready`)).statusCode, 200);
    assert.equal((await app.inject(`/v2/models/${name()}/versions/${runtime.description.version}/ready`)).statusCode, 200);
    const { app: draining, core: drainingCore } = await v2App(await openModel(bundledModelDirectory));
    try {
      drainingCore.state.beginDrain();
      const notReady = await draining.inject('/v2/health/ready');
      assert.equal(notReady.statusCode, 503);
      assert.deepEqual(json(notReady), { ready: false });
      // A rolling update: requests that still reach a draining replica are answered, by every protocol.
      const served = await draining.inject({ method: 'POST', url: `/v2/models/${name()}/infer`, payload: { inputs: columnInputs(records, runtime) } });
      assert.equal(served.statusCode, 200, served.body);
      assert.equal(served.headers['connection'], 'close');
    } finally {
      await draining.close();
    }
  });

  it('before the model is warmed up: ready is 503 and model routes refuse with 503 {"error"} and Retry-After', async () => {
    const config = testConfig();
    const cold = new ServingCore(new DataPlane(await openModel(bundledModelDirectory), { maxBatchSize: 10 }), { apiKeys: [], metrics: new ServingMetrics() });
    const coldApp = buildApp(config, cold);
    try {
      assert.equal((await coldApp.inject('/v2/health/ready')).statusCode, 503);
      for (const response of [await coldApp.inject(`/v2/models/${name()}/ready`), await coldApp.inject({ method: 'POST', url: `/v2/models/${name()}/infer`, payload: { inputs: columnInputs(records, runtime) } })]) {
        assert.equal(response.statusCode, 503);
        assert.equal(typeof json(response).error, 'string');
        assert.ok(Number(response.headers['retry-after']) > 0);
      }
    } finally {
      await coldApp.close();
    }
  });

  it('server metadata has name, version and extensions; model metadata lists typed inputs with -1 batch dims', async () => {
    const server = json(await app.inject('/v2'));
    assert.equal(typeof server.name, 'string');
    assert.equal(typeof server.version, 'string');
    assert.ok(Array.isArray(server.extensions));
    const model = json(await app.inject(`/v2/models/${name()}`));
    assert.equal(model.name, name());
    assert.equal(typeof model.platform, 'string');
    assert.deepEqual(model.versions, [runtime.description.version]);
    assert.equal(model.inputs.length, 19);
    assert.deepEqual(model.inputs.find((i: { name: string }) => i.name === 'Contract'), { name: 'Contract', datatype: 'BYTES', shape: [-1] });
    assert.deepEqual(model.inputs.find((i: { name: string }) => i.name === 'tenure'), { name: 'tenure', datatype: 'FP64', shape: [-1] });
    assert.deepEqual(model.outputs.map((o: { name: string }) => o.name), ['probability', 'label']);
    assert.deepEqual(json(await app.inject(`/v2/models/${name()}/versions/${runtime.description.version}`)), model);
  });

  it('infers from one BYTES/FP64 input per feature: the data plane\'s probabilities and labels, id echoed, model_name present', async () => {
    const response = await infer({ id: 'request-7', inputs: columnInputs(records, runtime) });
    assert.equal(response.statusCode, 200, response.body);
    const body = json(response);
    assert.equal(body.model_name, name());
    assert.equal(body.model_version, runtime.description.version);
    assert.equal(body.id, 'request-7');
    const expected = predictNativeBatch(bundledModel(), records).results;
    const [probability, label] = body.outputs;
    assert.deepEqual({ ...probability, data: undefined }, { name: 'probability', datatype: 'FP64', shape: [4], data: undefined });
    assert.deepEqual(probability.data, expected.map((e) => ('churnProbability' in e ? e.churnProbability : NaN)));
    assert.deepEqual(label, { name: 'label', datatype: 'BOOL', shape: [4], data: expected.map((e) => 'churn' in e && e.churn) });
  });

  it('gives nested and flat data the same result; filters outputs; serves the version path; no id when none was sent', async () => {
    const flat = json(await infer({ inputs: columnInputs(records, runtime) }));
    const nested = json(await infer({ inputs: columnInputs(records, runtime, true) }, `/v2/models/${name()}/versions/${runtime.description.version}/infer`));
    assert.deepEqual(nested.outputs, flat.outputs);
    assert.equal('id' in flat, false);
    const only = json(await infer({ inputs: columnInputs(records, runtime), outputs: [{ name: 'label' }] }));
    assert.deepEqual(only.outputs.map((o: { name: string }) => o.name), ['label']);
  });

  it('adds exact contributions (inputs + base value, in log-odds) when asked with parameters.explain or by name', async () => {
    const body = json(await infer({ parameters: { explain: true }, inputs: columnInputs(records, runtime) }));
    assert.deepEqual(body.outputs.map((o: { name: string }) => o.name), ['probability', 'label', 'contributions']);
    const contributions = body.outputs[2];
    assert.deepEqual(contributions.shape, [4, 20]);
    assert.equal(contributions.parameters.columns.split(',').length, 20);
    assert.equal(contributions.parameters.columns.split(',')[19], 'base_value');
    body.outputs[0].data.forEach((p: number, r: number) => {
      const margin = (contributions.data as number[]).slice(r * 20, r * 20 + 20).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(1 / (1 + Math.exp(-margin)) - p) < 1e-9, `row ${r}: additivity`);
    });
    const only = json(await infer({ outputs: [{ name: 'contributions' }], inputs: columnInputs(records, runtime) }));
    assert.deepEqual(only.outputs.map((o: { name: string }) => o.name), ['contributions']);
    assert.deepEqual(only.outputs[0].data, contributions.data);
  });

  it('accepts whole records as JSON text in one BYTES input (parameters.content_type "json"), with the same result', async () => {
    const columns = json(await infer({ inputs: columnInputs(records, runtime) }));
    const asRecords = json(await infer({ inputs: [{ name: 'records', datatype: 'BYTES', shape: [4], parameters: { content_type: 'json' }, data: records.map((r) => JSON.stringify(r)) }] }));
    assert.deepEqual(asRecords.outputs, columns.outputs);
    const bad = await infer({ inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], parameters: { content_type: 'json' }, data: ['{"tenure": '] }] });
    assert.equal(bad.statusCode, 400);
    const invalid = await infer({ inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], parameters: { content_type: 'json' }, data: [JSON.stringify({ ...records[0], tenure: -5 })] }] });
    assert.equal(invalid.statusCode, 400);
    assert.match(json(invalid).error, /\/0\/tenure/);
  });

  const badRequests: [string, (inputs: any[]) => unknown][] = [
    ['a shape/data count mismatch', (inputs) => ({ inputs: [{ ...inputs[0], shape: [5] }, ...inputs.slice(1)] })],
    ['an unknown input name', (inputs) => ({ inputs: [...inputs, { name: 'shoeSize', datatype: 'FP32', shape: [4], data: [1, 2, 3, 4] }] })],
    ['a numeric datatype for a categorical feature', (inputs) => ({ inputs: inputs.map((i) => (i.name === 'Contract' ? { ...i, datatype: 'INT32', data: [1, 2, 3, 4] } : i)) })],
    ['BYTES for a numeric feature', (inputs) => ({ inputs: inputs.map((i) => (i.name === 'tenure' ? { ...i, datatype: 'BYTES', data: ['1', '2', '3', '4'] } : i)) })],
    ['BOOL for a numeric feature', (inputs) => ({ inputs: inputs.map((i) => (i.name === 'tenure' ? { ...i, datatype: 'BOOL', data: [true, false, true, false] } : i)) })],
    ['FP16 (not representable in JSON)', (inputs) => ({ inputs: inputs.map((i) => (i.name === 'tenure' ? { ...i, datatype: 'FP16' } : i)) })],
    ['an unknown datatype', (inputs) => ({ inputs: inputs.map((i) => (i.name === 'tenure' ? { ...i, datatype: 'FLOAT' } : i)) })],
    ['an element outside its integer type', (inputs) => ({ inputs: inputs.map((i) => (i.name === 'tenure' ? { ...i, datatype: 'UINT8', data: [1, 2, 300, 4] } : i)) })],
    ['an unknown category', (inputs) => ({ inputs: inputs.map((i) => (i.name === 'Contract' ? { ...i, data: ['Forever', 'Forever', 'Forever', 'Forever'] } : i)) })],
    ['inputs with different row counts', (inputs) => ({ inputs: inputs.map((i) => (i.name === 'tenure' ? { ...i, shape: [3], data: [1, 2, 3] } : i)) })],
    ['an unknown requested output', (inputs) => ({ inputs, outputs: [{ name: 'explanation-of-everything' }] })],
    ['no inputs list', () => ({ id: 'x' })],
    ['a non-string id', (inputs) => ({ id: 5, inputs })],
  ];
  for (const [what, build] of badRequests) {
    it(`answers 400 with {"error"} for ${what}`, async () => {
      const response = await infer(build(columnInputs(records, runtime)));
      assert.equal(response.statusCode, 400, response.body);
      const body = json(response);
      assert.deepEqual(Object.keys(body), ['error']);
      assert.ok(body.error.length > 0);
    });
  }

  it('answers 400 with {"error"} for malformed JSON, and 404 with {"error"} for an unknown model, version or route', async () => {
    const malformed = await app.inject({ method: 'POST', url: `/v2/models/${name()}/infer`, headers: { 'content-type': 'application/json' }, payload: '{"inputs": [' });
    assert.equal(malformed.statusCode, 400);
    assert.equal(typeof json(malformed).error, 'string');
    for (const [method, url] of [['GET', '/v2/models/nope'], ['GET', '/v2/models/nope/ready'], ['POST', '/v2/models/nope/infer'], ['GET', `/v2/models/${name()}/versions/999`], ['POST', `/v2/models/${name()}/versions/999/infer`], ['GET', '/v2/repository']] as const) {
      const response = await app.inject({ method, url, ...(method === 'POST' ? { payload: { inputs: [] } } : {}) });
      assert.equal(response.statusCode, 404, `${method} ${url}`);
      assert.deepEqual(Object.keys(json(response)), ['error']);
    }
  });
});

describe('Open Inference Protocol V2: XGBoost model with a single FP32 [N, F] input', () => {
  let app: FastifyInstance;
  let runtime: ModelRuntime;
  before(async () => {
    runtime = await openModel(join(packageRoot, 'test', 'fixtures', 'xgboost', 'multi-softprob.model.json'));
    ({ app } = await v2App(runtime));
  });
  after(async () => { await app.close(); });

  it('scores the matrix as the runtime scores records, with [N, K] probabilities and an INT64 label', async () => {
    const rows = [[12, 70.5, 800, 2, 1, 40], [60, null, 5000, 0, 24, 55]];
    const response = await app.inject({ method: 'POST', url: `/v2/models/${runtime.description.name}/infer`, payload: { inputs: [{ name: 'input__0', datatype: 'FP32', shape: [2, 6], data: rows }] } });
    assert.equal(response.statusCode, 200, response.body);
    const [probability, label] = json(response).outputs;
    const names = runtime.description.schema.features.map((f) => f.name);
    const expected = await predictRecords(runtime, rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))));
    assert.deepEqual(probability, { name: 'probability', datatype: 'FP64', shape: [2, 3], data: [...expected[0]!.data] });
    assert.deepEqual(label, { name: 'label', datatype: 'INT64', shape: [2], data: [...expected[1]!.data] });
    const wrongWidth = await app.inject({ method: 'POST', url: `/v2/models/${runtime.description.name}/infer`, payload: { inputs: [{ name: 'input__0', datatype: 'FP32', shape: [1, 5], data: [1, 2, 3, 4, 5] }] } });
    assert.equal(wrongWidth.statusCode, 400);
  });
});

describe('Open Inference Protocol V2: XGBoost explanations match pred_contribs', () => {
  it('returns XGBoost\'s own pred_contribs (1e-5) as the contributions output; multi-class models answer 400', async () => {
    const fixtures = join(packageRoot, 'test', 'fixtures', 'xgboost');
    const { readFileSync } = await import('node:fs');
    const expected = JSON.parse(readFileSync(join(fixtures, 'binary-logistic.expected.json'), 'utf8')) as { rows: (number | null)[][]; contributions: number[][] };
    const runtime = await openModel(join(fixtures, 'binary-logistic.model.json'));
    const { app } = await v2App(runtime);
    try {
      const rows = expected.rows.length;
      const response = await app.inject({ method: 'POST', url: `/v2/models/${runtime.description.name}/infer`, payload: { parameters: { explain: true }, inputs: [{ name: 'matrix', datatype: 'FP64', shape: [rows, 6], data: expected.rows }] } });
      assert.equal(response.statusCode, 200, response.body);
      const contributions = json(response).outputs.find((o: { name: string }) => o.name === 'contributions');
      assert.deepEqual(contributions.shape, [rows, 7]);
      expected.contributions.flat().forEach((v, i) => assert.ok(Math.abs(contributions.data[i] - v) <= 1e-5 * Math.max(1, Math.abs(v)), `element ${i}`));
    } finally {
      await app.close();
    }
    const multi = await openModel(join(fixtures, 'multi-softmax.model.json'));
    const { app: multiApp } = await v2App(multi);
    try {
      const response = await multiApp.inject({ method: 'POST', url: `/v2/models/${multi.description.name}/infer`, payload: { parameters: { explain: true }, inputs: [{ name: 'matrix', datatype: 'FP64', shape: [1, 6], data: [1, 2, 3, 4, 5, 6] }] } });
      assert.equal(response.statusCode, 400);
      assert.match(json(response).error, /cannot explain/);
    } finally {
      await multiApp.close();
    }
  });
});

describe('Open Inference Protocol V2 on the churn server (buildApp)', () => {
  it('is served beside /predict, behind the API keys for model routes, with probes open', async () => {
    const key = 'k'.repeat(20);
    const { app } = await testApp({ API_KEYS: key });
    try {
      assert.equal((await app.inject('/v2/health/ready')).statusCode, 200);
      const name = json(await app.inject('/v2')).name;
      assert.equal(typeof name, 'string');
      const runtime = await openModel(bundledModelDirectory);
      const payload = { inputs: columnInputs(dataRecords().slice(0, 2), runtime) };
      const url = `/v2/models/${runtime.description.name}/infer`;
      assert.equal((await app.inject({ method: 'POST', url, payload })).statusCode, 401);
      const ok = await app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${key}` } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(json(ok).outputs[0].shape[0], 2);
      const unknown = await app.inject('/v2/nothing-here');
      assert.equal(unknown.statusCode, 404);
      assert.deepEqual(Object.keys(json(unknown)), ['error']);
    } finally {
      await app.close();
    }
  });
});
