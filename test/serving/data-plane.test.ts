import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChurnError } from '../../src/errors.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { DataPlane, type DataPlaneOptions } from '../../src/serving/data-plane.js';
import { ServingMetrics } from '../../src/serving/metrics/serving-metrics.js';
import type { BatchOutcome, SinglePrediction } from '../../src/serving/predictions.js';
import { syntheticRecord } from '../../src/serving/synthetic-record.js';
import { validRecord } from '../helpers/fixtures.js';
import { bundledModel } from '../server/app-harness.js';

function plane(options: Partial<DataPlaneOptions> = {}): DataPlane {
  return new DataPlane(new NativeRuntime(bundledModel()), { maxBatchSize: 10, ...options });
}

/** The native runtime answers synchronously: these tests read results as values, and a promise would fail them. */
function single(value: SinglePrediction | Promise<SinglePrediction>): SinglePrediction {
  assert.ok(!(value instanceof Promise), 'the native model answers one record without a promise');
  return value;
}

function batch(value: BatchOutcome | Promise<BatchOutcome>): BatchOutcome {
  assert.ok(!(value instanceof Promise), 'the native model answers a batch without a promise');
  return value;
}

describe('DataPlane over the native model', () => {
  test('is not ready until the warm-up prediction has run, which is synchronous for an in-process model', () => {
    const p = plane();
    assert.equal(p.ready, false);
    assert.equal(p.warmUp(), undefined);
    assert.equal(p.ready, true);
  });

  test('the synthetic warm-up record is valid for the schema', () => {
    const p = plane();
    assert.doesNotThrow(() => p.predict(syntheticRecord(p.schema), {}, 'rest'));
  });

  test('predict answers probability, decision, threshold and model version, echoing customerID', () => {
    const record = validRecord();
    const result = single(plane().predict(record, {}, 'rest'));
    assert.equal(result.customerID, record['customerID']);
    assert.ok(result.churnProbability > 0 && result.churnProbability < 1);
    assert.equal(result.churn, result.churnProbability >= result.threshold);
    assert.equal(result.threshold, bundledModel().manifest.threshold.value);
    assert.equal(result.modelVersion, bundledModel().manifest.version);
  });

  test('a record without customerID gets none back', () => {
    const { customerID: _id, ...record } = validRecord();
    assert.equal('customerID' in single(plane().predict(record, {}, 'rest')), false);
  });

  test('a decision threshold override changes the decision, not the probability; outside [0, 1] it is refused', () => {
    const record = validRecord();
    const low = single(plane({ threshold: 0 }).predict(record, {}, 'rest'));
    const high = single(plane({ threshold: 1 }).predict(record, {}, 'rest'));
    assert.equal(low.churnProbability, high.churnProbability);
    assert.equal(low.churn, true);
    assert.equal(high.churn, high.churnProbability >= 1);
    assert.equal(low.threshold, 0);
    assert.throws(() => plane({ threshold: 1.5 }), RangeError);
  });

  test('an invalid record throws INVALID_RECORD with every failing field, paths relative to the record', () => {
    const record = { ...validRecord(), tenure: -3, Contract: 'Weekly' };
    assert.throws(() => plane().predict(record, {}, 'rest'), (error: unknown) => {
      assert.ok(error instanceof ChurnError);
      assert.equal(error.code, 'INVALID_RECORD');
      assert.equal(error.status, 422);
      assert.deepEqual(error.details.map((d) => d.path).sort(), ['/Contract', '/tenure']);
      return true;
    });
  });

  test('predictBatch keeps order, isolates bad records and prefixes their paths', () => {
    const good = validRecord();
    const outcome = batch(plane().predictBatch([good, { ...good, customerID: 'bad-1', tenure: 'x' }, 7, good], {}, 'rest'));
    assert.equal(outcome.count, 4);
    assert.equal(outcome.failed, 2);
    assert.ok('churnProbability' in outcome.results[0]!);
    const bad = outcome.results[1]!;
    assert.ok('error' in bad);
    assert.equal(bad.customerID, 'bad-1');
    assert.equal(bad.error.code, 'INVALID_RECORD');
    assert.deepEqual(bad.error.details.map((d) => [d.path, d.reason]), [['/records/1/tenure', 'type']]);
    const notObject = outcome.results[2]!;
    assert.ok('error' in notObject && notObject.error.details[0]!.path === '/records/2');
    assert.deepEqual(outcome.results[3], outcome.results[0]);
  });

  test('scores a record the same in a batch as alone, whatever the batch around it', () => {
    const p = plane({ maxBatchSize: 100 });
    const records = Array.from({ length: 50 }, (_, i) => ({ ...validRecord(), tenure: i, TotalCharges: i === 7 ? null : 30 * i }));
    const { results } = batch(p.predictBatch(records, {}, 'rest'));
    results.forEach((r, i) => assert.ok('churnProbability' in r && r.churnProbability === single(p.predict(records[i], {}, 'rest')).churnProbability));
  });

  test('reacts to the features churn depends on', () => {
    const p = plane();
    const risky = single(p.predict({ ...validRecord(), Contract: 'Month-to-month', tenure: 1, InternetService: 'Fiber optic' }, {}, 'rest'));
    const loyal = single(p.predict({ ...validRecord(), Contract: 'Two year', tenure: 70, InternetService: 'DSL' }, {}, 'rest'));
    assert.ok(risky.churnProbability > loyal.churnProbability + 0.3);
  });

  test('an explained prediction adds contributions that sum to the margin of the same probability', () => {
    const p = plane();
    const plain = single(p.predict(validRecord(), {}, 'rest'));
    const explained = single(p.predict(validRecord(), { explain: true }, 'rest'));
    assert.equal(explained.churnProbability, plain.churnProbability);
    const e = explained.explanation!;
    assert.equal(e.contributions.length, 19);
    const sum = e.contributions.reduce((s, c) => s + c.contribution, e.baseValue);
    assert.ok(Math.abs(sum - e.margin) < 1e-9);
    assert.ok(Math.abs(1 / (1 + Math.exp(-e.margin)) - plain.churnProbability) < 1e-12);
  });

  test('more records than maxBatchSize is BATCH_TOO_LARGE, for batches and tensors alike', () => {
    const p = plane({ maxBatchSize: 2 });
    assert.throws(() => p.predictBatch([{}, {}, {}], {}, 'rest'), (error: unknown) => error instanceof ChurnError && error.code === 'BATCH_TOO_LARGE');
    assert.throws(() => p.infer([{}, {}, {}], {}, 'v2'), (error: unknown) => error instanceof ChurnError && error.code === 'BATCH_TOO_LARGE');
    assert.equal(batch(p.predictBatch([validRecord(), validRecord()], {}, 'rest')).count, 2);
  });

  test('infer answers the outputs, a label at the served threshold, and fails the call on any invalid record', () => {
    const p = plane({ threshold: 0 });
    const result = p.infer([validRecord(), validRecord()], {}, 'v2');
    assert.ok(!(result instanceof Promise));
    assert.deepEqual(result.outputs.map((o) => [o.name, o.datatype, o.width, o.data.length]), [['probability', 'FP64', 1, 2], ['label', 'BOOL', 1, 2]]);
    assert.deepEqual([...result.outputs[1]!.data], [1, 1]);
    assert.throws(() => p.infer([validRecord(), { ...validRecord(), tenure: 'x' }], {}, 'v2'), (error: unknown) => {
      assert.ok(error instanceof ChurnError && error.code === 'INVALID_RECORD');
      assert.deepEqual(error.details.map((d) => d.path), ['/1/tenure']);
      return true;
    });
    assert.throws(() => p.infer([validRecord()], { outputs: ['nope'] }, 'v2'), (error: unknown) => error instanceof ChurnError && error.code === 'INVALID_BODY');
  });

  test('infer explains on request: one row of features + base value per record', () => {
    const result = plane().infer([validRecord()], { outputs: ['contributions'] }, 'v2');
    assert.ok(!(result instanceof Promise));
    assert.deepEqual(result.outputs.map((o) => o.name), ['contributions']);
    assert.equal(result.outputs[0]!.width, 20);
    assert.equal(result.contributionColumns![19], 'base_value');
  });

  test('counts outcomes, invalid records and each stage by protocol in the metrics it is given', async () => {
    const metrics = new ServingMetrics();
    const p = plane({ metrics, threshold: 0 });
    p.predict(validRecord(), {}, 'rest');
    assert.throws(() => p.predict({}, {}, 'rest'));
    p.predictBatch([validRecord(), {}], { explain: true }, 'mlflow');
    const text = await metrics.registry.metrics();
    assert.match(text, /churn_predictions_total\{outcome="churn"\} 2/);
    assert.match(text, /churn_invalid_records_total 2/);
    assert.match(text, /churn_inference_stage_seconds_count\{model="churn",protocol="rest",stage="validate_encode"\} 2/);
    assert.match(text, /churn_inference_stage_seconds_count\{model="churn",protocol="rest",stage="score"\} 1/);
    assert.match(text, /churn_inference_stage_seconds_count\{model="churn",protocol="mlflow",stage="explain"\} 1/);
    assert.match(text, /churn_batch_size_count 1/);
  });

  test('the model card carries the facts and no file-system path', () => {
    const { card } = plane({ threshold: 0.5 });
    const manifest = bundledModel().manifest;
    assert.equal(card.name, manifest.name);
    assert.equal(card.version, manifest.version);
    assert.equal(card.format, 'native');
    assert.equal(card.task, 'binary');
    assert.equal((card['trainingData'] as { sha256: string }).sha256, manifest.training.data.sha256);
    assert.deepEqual(card.threshold, { value: 0.5, modelValue: manifest.threshold.value, method: 'set by DECISION_THRESHOLD', overridden: true });
    assert.deepEqual(card.endpoints, ['/predict', '/predict/batch', '/v2/models/churn/infer', '/invocations']);
    assert.ok(!JSON.stringify(card).includes(bundledModel().directory));
  });
});
