import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChurnError } from '../../src/errors.js';
import { ModelService, syntheticRecord, type InferenceObserver } from '../../src/server/model-service.js';
import { validRecord } from '../helpers/fixtures.js';
import { bundledModel } from './app-harness.js';

function recordingObserver() {
  const calls: Parameters<InferenceObserver['scored']>[] = [];
  return { calls, observer: { scored: (...args: Parameters<InferenceObserver['scored']>) => { calls.push(args); } } };
}

describe('ModelService', () => {
  test('is not ready until the warm-up prediction has run', () => {
    const service = new ModelService(bundledModel(), { maxBatchSize: 10 });
    assert.equal(service.ready, false);
    service.warmUp();
    assert.equal(service.ready, true);
  });

  test('the synthetic warm-up record is valid for the schema', () => {
    const service = new ModelService(bundledModel(), { maxBatchSize: 10 });
    assert.doesNotThrow(() => service.predict(syntheticRecord(service.schema)));
  });

  test('predict answers probability, decision, threshold and model version, echoing customerID', () => {
    const service = new ModelService(bundledModel(), { maxBatchSize: 10 });
    const record = validRecord();
    const result = service.predict(record);
    assert.equal(result.customerID, record['customerID']);
    assert.ok(result.churnProbability >= 0 && result.churnProbability <= 1);
    assert.equal(result.churn, result.churnProbability >= result.threshold);
    assert.equal(result.threshold, bundledModel().manifest.threshold.value);
    assert.equal(result.modelVersion, bundledModel().manifest.version);
  });

  test('a decision threshold override changes the decision, not the probability', () => {
    const record = validRecord();
    const low = new ModelService(bundledModel(), { maxBatchSize: 10, threshold: 0 }).predict(record);
    const high = new ModelService(bundledModel(), { maxBatchSize: 10, threshold: 1 }).predict(record);
    assert.equal(low.churnProbability, high.churnProbability);
    assert.equal(low.churn, true);
    assert.equal(high.churn, high.churnProbability >= 1);
    assert.equal(low.threshold, 0);
  });

  test('an invalid record throws INVALID_RECORD with paths relative to the record', () => {
    const service = new ModelService(bundledModel(), { maxBatchSize: 10 });
    const record = { ...validRecord(), tenure: -3, Contract: 'Weekly' };
    assert.throws(() => service.predict(record), (error: unknown) => {
      assert.ok(error instanceof ChurnError);
      assert.equal(error.code, 'INVALID_RECORD');
      assert.deepEqual(error.details.map((d) => d.path).sort(), ['/Contract', '/tenure']);
      return true;
    });
  });

  test('predictBatch keeps order, isolates bad records and prefixes their paths', () => {
    const service = new ModelService(bundledModel(), { maxBatchSize: 10 });
    const good = validRecord();
    const outcome = service.predictBatch([good, { ...good, customerID: 'bad-1', tenure: 'x' }, 7, good]);
    assert.equal(outcome.count, 4);
    assert.equal(outcome.failed, 2);
    assert.ok('churnProbability' in outcome.results[0]!);
    const bad = outcome.results[1]!;
    assert.ok('error' in bad);
    assert.equal(bad.customerID, 'bad-1');
    assert.equal(bad.error.code, 'INVALID_RECORD');
    assert.deepEqual(bad.error.details.map((d) => d.path), ['/records/1/tenure']);
    const notObject = outcome.results[2]!;
    assert.ok('error' in notObject && notObject.error.details[0]!.path === '/records/2');
    assert.deepEqual(outcome.results[3], outcome.results[0]);
    assert.ok(!('ok' in outcome.results[0]!), 'internal flags do not leak into the API');
  });

  test('more records than maxBatchSize is BATCH_TOO_LARGE', () => {
    const service = new ModelService(bundledModel(), { maxBatchSize: 2 });
    assert.throws(() => service.predictBatch([{}, {}, {}]), (error: unknown) => error instanceof ChurnError && error.code === 'BATCH_TOO_LARGE');
    assert.equal(service.predictBatch([validRecord(), validRecord()]).count, 2);
  });

  test('the observer hears about every scoring call', () => {
    const { calls, observer } = recordingObserver();
    const service = new ModelService(bundledModel(), { maxBatchSize: 10, observer, threshold: 0 });
    service.predict(validRecord());
    assert.throws(() => service.predict({}));
    service.predictBatch([validRecord(), {}]);
    assert.deepEqual(calls.map(([kind, records, churned, failed]) => [kind, records, churned, failed]), [
      ['single', 1, 1, 0], ['single', 1, 0, 1], ['batch', 2, 1, 1],
    ]);
    assert.ok(calls.every(([, , , , seconds]) => seconds >= 0 && seconds < 5));
  });

  test('the model card carries the facts and no file-system path', () => {
    const service = new ModelService(bundledModel(), { maxBatchSize: 10, threshold: 0.5 });
    const { card } = service;
    const manifest = bundledModel().manifest;
    assert.equal(card.name, manifest.name);
    assert.equal(card.version, manifest.version);
    assert.equal(card.trainingData.sha256, manifest.training.data.sha256);
    assert.deepEqual(card.threshold, { value: 0.5, modelValue: manifest.threshold.value, method: 'set by DECISION_THRESHOLD', overridden: true });
    assert.ok(!JSON.stringify(card).includes(bundledModel().directory));
  });
});
