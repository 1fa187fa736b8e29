import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeOnnxModel } from '../../src/export/write-onnx-model.js';
import { loadModelArtifact } from '../../src/model/artifact-loader.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { predictNativeBatch } from '../helpers/native-plane.js';
import { predictRecords } from '../helpers/runtime-records.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { dataRecords, temporaryDirectory } from '../helpers/fixtures.js';
import { runtimeContract } from '../runtimes/runtime-contract.js';

const work = temporaryDirectory();
after(() => rmSync(work, { recursive: true, force: true }));
const loaded = loadModelArtifact(bundledModelDirectory);
const onnxFile = join(work, 'churn.onnx');
writeOnnxModel(loaded, onnxFile);

describe('churn-predictor export --format onnx', () => {
  it('onnxruntime scores every record of the data file as the native evaluator does (1e-5), labels included', async () => {
    const records = dataRecords().map((r, i) => (i % 7 === 0 ? { ...r, TotalCharges: null } : r));
    const native = predictNativeBatch(loaded, records);
    assert.equal(native.failed, 0);
    const runtime = await openModel(onnxFile);
    try {
      assert.equal(runtime.description.name, loaded.manifest.name);
      assert.equal(runtime.description.version, loaded.manifest.version);
      const [probability, label] = await predictRecords(runtime, records);
      let worst = 0;
      native.results.forEach((entry, i) => {
        assert.ok('churnProbability' in entry);
        worst = Math.max(worst, Math.abs(probability!.data[i]! - entry.churnProbability));
        // A label may only differ where float32 rounding puts the probability on the other side of the threshold.
        if (label!.data[i] !== (entry.churn ? 1 : 0)) assert.ok(Math.abs(entry.churnProbability - loaded.manifest.threshold.value) < 1e-6);
      });
      assert.ok(worst < 1e-5, `largest difference ${worst}`);
    } finally {
      await runtime.close();
    }
  });

  it('the CLI writes the model and its sidecar manifest, and rejects other formats', () => {
    const cli = join(packageRoot, 'dist', 'src', 'cli', 'main.js');
    const out = join(work, 'cli', 'model.onnx');
    const ok = spawnSync(process.execPath, [cli, 'export', '--format', 'onnx', '--out', out], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(existsSync(out));
    assert.equal(JSON.parse(readFileSync(join(work, 'cli', 'model.manifest.json'), 'utf8')).name, loaded.manifest.name);
    const bad = spawnSync(process.execPath, [cli, 'export', '--format', 'pmml', '--out', out], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /INVALID_ARGUMENT/);
  });
});

describe('runtime contract: ONNX (exported churn model)', () => {
  const records = dataRecords().slice(0, 5);
  runtimeContract({
    open: () => openModel(onnxFile),
    valid: records,
    invalid: { ...records[1], tenure: 'long' },
  });
});
