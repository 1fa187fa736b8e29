import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Explainer } from '../../src/explain/explainer.js';
import { loadModelArtifact, type LoadedModel } from '../../src/model/artifact-loader.js';
import { bundledDataFile, bundledModelDirectory } from '../../src/model/bundled-model.js';
import { predictNative, predictNativeBatch } from '../helpers/native-plane.js';
import { marginFunction } from '../../src/model/scorer.js';
import { trainModel } from '../../src/training/train-model.js';
import { dataRecords, temporaryDirectory, validRecord } from '../helpers/fixtures.js';

const work = temporaryDirectory();
after(() => rmSync(work, { recursive: true, force: true }));

function logregModel(): LoadedModel {
  const dir = join(work, 'logreg');
  trainModel({ data: bundledDataFile, algorithm: 'logreg', seed: 42, out: dir });
  return loadModelArtifact(dir);
}

describe('explainer', () => {
  const models: [string, () => LoadedModel][] = [['gbdt (bundled)', () => loadModelArtifact(bundledModelDirectory)], ['logreg', logregModel]];
  for (const [name, load] of models) {
    it(`${name}: base value + contributions = margin for every record of the data file (1e-6)`, () => {
      const loaded = load();
      const explainer = new Explainer(loaded);
      const margin = marginFunction(loaded.model);
      const x = new Float64Array(loaded.encoder.width);
      const perFeature = new Float64Array(19);
      for (const record of dataRecords()) {
        assert.equal(loaded.encoder.encode(record, x), undefined);
        const m = explainer.featureContributions(x, 0, perFeature);
        assert.ok(Math.abs(m - margin(x, 0)) < 1e-12);
        assert.ok(Math.abs(explainer.baseValue + perFeature.reduce((a, b) => a + b, 0) - m) < 1e-6);
      }
    });
  }

  it('sums one-hot columns back to the 19 input features, largest first, with their values', () => {
    const { explanation } = predictNative(loadModelArtifact(bundledModelDirectory), { ...validRecord(), TotalCharges: null }, { explain: true });
    assert.ok(explanation);
    assert.equal(explanation.contributions.length, 19);
    assert.deepEqual(new Set(explanation.contributions.map((c) => c.feature)).size, 19);
    const magnitudes = explanation.contributions.map((c) => Math.abs(c.contribution));
    assert.deepEqual(magnitudes, [...magnitudes].sort((a, b) => b - a));
    assert.equal(explanation.contributions.find((c) => c.feature === 'Contract')!.value, 'Month-to-month');
    assert.equal(explanation.contributions.find((c) => c.feature === 'TotalCharges')!.value, null);
  });

  it('gives reasons a sales rep can read, in the direction of the contribution', () => {
    const loaded = loadModelArtifact(bundledModelDirectory);
    const risky = predictNative(loaded, { ...validRecord(), Contract: 'Month-to-month', tenure: 1, InternetService: 'Fiber optic' }, { explain: true });
    assert.ok(risky.explanation!.reasons.includes('Contract = Month-to-month raises churn risk'), risky.explanation!.reasons.join('; '));
    const loyal = predictNative(loaded, { ...validRecord(), Contract: 'Two year', tenure: 70 }, { explain: true });
    assert.ok(loyal.explanation!.reasons.some((r) => /^(Contract = Two year|tenure = 70) lowers churn risk$/.test(r)), loyal.explanation!.reasons.join('; '));
    assert.ok(risky.explanation!.reasons.length <= 3);
  });

  it('explains in batches too, and only when asked', () => {
    const loaded = loadModelArtifact(bundledModelDirectory);
    const { results } = predictNativeBatch(loaded, [validRecord(), { bad: true }], { explain: true });
    assert.ok('explanation' in results[0]! && results[0].explanation !== undefined);
    assert.ok('error' in results[1]!);
    assert.equal('explanation' in predictNativeBatch(loaded, [validRecord()]).results[0]!, false);
  });
});
