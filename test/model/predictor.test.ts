import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isChurnError } from '../../src/errors.js';
import { loadModelArtifact } from '../../src/model/artifact-loader.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { Predictor } from '../../src/model/predictor.js';
import { validRecord } from '../helpers/fixtures.js';

const loaded = loadModelArtifact(bundledModelDirectory);

describe('predictor', () => {
  const predictor = new Predictor(loaded);

  it('scores one record with its id, probability and label at the model threshold', () => {
    const p = predictor.predictOne(validRecord());
    assert.equal(p.customerID, '7590-VHVEG');
    assert.ok(p.churnProbability > 0 && p.churnProbability < 1);
    assert.equal(p.churn, p.churnProbability >= loaded.manifest.threshold.value);
    assert.equal(predictor.threshold, loaded.manifest.threshold.value);
  });

  it('omits customerID when the record has none', () => {
    const { customerID: _, ...record } = validRecord();
    assert.equal('customerID' in predictor.predictOne(record), false);
  });

  it('throws INVALID_RECORD with every failing field', () => {
    assert.throws(() => predictor.predictOne({ ...validRecord(), tenure: -1, Contract: 'x' }), (error: unknown) => {
      assert.ok(isChurnError(error));
      assert.equal(error.code, 'INVALID_RECORD');
      assert.equal(error.status, 422);
      assert.deepEqual(error.details.map((d) => d.path).sort(), ['/Contract', '/tenure']);
      return true;
    });
  });

  it('scores a batch in order; a bad record fails alone', () => {
    const good = validRecord();
    const { results, failed } = predictor.predictBatch([good, { ...good, customerID: 'bad-1', tenure: 'x' }, null, good]);
    assert.equal(failed, 2);
    assert.deepEqual(results.map((r) => r.ok), [true, false, false, true]);
    const bad = results[1]!;
    assert.ok(!bad.ok);
    assert.equal(bad.customerID, 'bad-1');
    assert.deepEqual(bad.errors.map((e) => [e.path, e.reason]), [['/tenure', 'type']]);
    const first = results[0]!;
    assert.ok(first.ok);
    assert.equal(first.churnProbability, predictor.predictOne(good).churnProbability);
  });

  it('scores the same in a batch as alone, whatever the batch around it', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ ...validRecord(), tenure: i, TotalCharges: i === 7 ? null : 30 * i }));
    const { results } = predictor.predictBatch(records);
    results.forEach((r, i) => assert.ok(r.ok && r.churnProbability === predictor.predictOne(records[i]).churnProbability));
  });

  it('lets the decision threshold be overridden', () => {
    assert.equal(new Predictor(loaded, { threshold: 0 }).predictOne(validRecord()).churn, true);
    assert.equal(new Predictor(loaded, { threshold: 1 }).predictOne(validRecord()).churn, false);
    assert.throws(() => new Predictor(loaded, { threshold: 1.5 }), RangeError);
  });

  it('reacts to the features churn depends on', () => {
    const risky = predictor.predictOne({ ...validRecord(), Contract: 'Month-to-month', tenure: 1, InternetService: 'Fiber optic' });
    const loyal = predictor.predictOne({ ...validRecord(), Contract: 'Two year', tenure: 70, InternetService: 'DSL' });
    assert.ok(risky.churnProbability > loyal.churnProbability + 0.3);
  });
});
