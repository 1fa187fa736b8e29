import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ChurnError } from '../../src/errors.js';
import { treeEnsembleNode, valueInfo } from '../../src/export/onnx-export.js';
import { DataType, encodeOnnxModel } from '../../src/export/onnx-messages.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { xgboostFromJson } from '../../src/model/formats/xgboost-json.js';
import { temporaryDirectory } from '../helpers/fixtures.js';
import { predictRecords } from '../helpers/runtime-records.js';
import { runtimeContract } from './runtime-contract.js';

const work = temporaryDirectory();
after(() => rmSync(work, { recursive: true, force: true }));

// A numeric ONNX model with one FP32 [N, 6] input, built from the XGBoost fixture's trees: the layout
// converters such as onnxmltools write for tree models.
const fixtures = join(packageRoot, 'test', 'fixtures', 'xgboost');
const xgb = xgboostFromJson('binary-logistic', readFileSync(join(fixtures, 'binary-logistic.model.json'), 'utf8'));
const expected = JSON.parse(readFileSync(join(fixtures, 'binary-logistic.expected.json'), 'utf8')) as { rows: (number | null)[][]; prediction: number[] };
const matrixModel = join(work, 'numeric.onnx');
writeFileSync(matrixModel, encodeOnnxModel({
  irVersion: 8, opsetImport: [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }],
  graph: {
    name: 'numeric',
    node: [treeEnsembleNode(xgb.groups[0]!, 'input__0', 'margin', 'float'), { opType: 'Sigmoid', input: ['margin'], output: ['probability'] }],
    input: [valueInfo('input__0', DataType.FLOAT, ['N', 6])],
    output: [valueInfo('probability', DataType.FLOAT, ['N', 1])],
  },
}));
const records = expected.rows.map((row) => Object.fromEntries(row.map((v, i) => [`f${i}`, v])));

describe('ONNX runtime: a numeric [N, F] model', () => {
  it('scores float32 inputs with NaN for missing as XGBoost does (1e-6)', async () => {
    const runtime = await openModel(matrixModel);
    try {
      assert.deepEqual(runtime.description.schema.features.map((f) => f.name), ['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);
      assert.equal(runtime.description.task, 'binary');
      const [probability] = await predictRecords(runtime, records);
      expected.prediction.forEach((p, i) => assert.ok(Math.abs(probability!.data[i]! - p) < 1e-6, `row ${i}`));
    } finally {
      await runtime.close();
    }
  });

  it('stops start-up with a clear error for a file onnxruntime cannot load', async () => {
    const broken = join(work, 'broken.onnx');
    writeFileSync(broken, 'not a model');
    await assert.rejects(openModel(broken), (e: unknown) => e instanceof ChurnError && e.code === 'ARTIFACT_CORRUPT');
  });
});

describe('runtime contract: ONNX (numeric [N, F] input)', () => {
  runtimeContract({ open: () => openModel(matrixModel), valid: records.slice(0, 5), invalid: { ...records[1], f2: 'lots' } });
});
