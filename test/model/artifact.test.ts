import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ErrorCode } from '../../src/errors.js';
import { isChurnError } from '../../src/errors.js';
import { loadModelArtifact } from '../../src/model/artifact-loader.js';
import { MANIFEST_FILE, PAYLOAD_FILE } from '../../src/model/artifact-manifest.js';
import { bundledDataFile } from '../../src/model/bundled-model.js';
import { predictNativeBatch } from '../helpers/native-plane.js';
import { trainModel, type TrainOutcome } from '../../src/training/train-model.js';
import { dataRecords, temporaryDirectory } from '../helpers/fixtures.js';

const work = temporaryDirectory();
after(() => rmSync(work, { recursive: true, force: true }));

const trained: Partial<Record<'gbdt' | 'logreg', { dir: string; outcome: TrainOutcome }>> = {};
before(() => {
  for (const algorithm of ['gbdt', 'logreg'] as const) {
    const dir = join(work, algorithm);
    trained[algorithm] = { dir, outcome: trainModel({ data: bundledDataFile, algorithm, seed: 42, out: dir }) };
  }
});

describe('model artifact round trip', () => {
  for (const algorithm of ['gbdt', 'logreg'] as const) {
    it(`${algorithm}: the loaded artifact scores the test split as the trainer did (1e-9)`, () => {
      const { dir, outcome } = trained[algorithm]!;
      const records = dataRecords();
      const { results } = predictNativeBatch(loadModelArtifact(dir), Array.from(outcome.testRows, (r) => records[r]));
      results.forEach((result, i) => {
        assert.ok('churnProbability' in result);
        assert.ok(Math.abs(result.churnProbability - outcome.testProbabilities[i]!) <= 1e-9);
      });
    });
  }

  it('records the data checksum, row counts, missing values, split and threshold', () => {
    const { manifest } = loadModelArtifact(trained.gbdt!.dir);
    assert.equal(manifest.training.data.sha256, createHashOf(bundledDataFile));
    assert.equal(manifest.training.data.rows, 7043);
    assert.deepEqual(manifest.training.data.missing, { TotalCharges: 11 });
    const { split } = manifest.training;
    assert.equal(split.trainRows + split.validationRows + split.testRows, 7043);
    assert.equal(manifest.metrics.test.examples, split.testRows);
    assert.equal(manifest.threshold.value, manifest.metrics.test.atThreshold.threshold);
  });
});

import { createHash } from 'node:crypto';
function createHashOf(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('corrupt artifacts fail with a code and the file name', () => {
  let counter = 0;
  function corrupted(change: (dir: string) => void): string {
    const dir = join(work, `corrupt-${counter++}`);
    cpSync(trained.gbdt!.dir, dir, { recursive: true });
    change(dir);
    return dir;
  }
  const editJson = (file: string, edit: (value: Record<string, unknown>) => void) => {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(value);
    writeFileSync(file, JSON.stringify(value));
  };
  /** Rewrites the payload and its checksum in the manifest, so only the structural check can catch the edit. */
  const editPayload = (dir: string, edit: (payload: Record<string, unknown>) => void) => {
    editJson(join(dir, PAYLOAD_FILE), edit);
    const bytes = readFileSync(join(dir, PAYLOAD_FILE));
    editJson(join(dir, MANIFEST_FILE), (m) => {
      m['payload'] = { file: PAYLOAD_FILE, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    });
  };

  const cases: [string, (dir: string) => void, ErrorCode, string][] = [
    ['missing directory', (dir) => rmSync(dir, { recursive: true }), 'ARTIFACT_NOT_FOUND', ''],
    ['missing manifest', (dir) => rmSync(join(dir, MANIFEST_FILE)), 'ARTIFACT_NOT_FOUND', MANIFEST_FILE],
    ['truncated manifest', (dir) => truncateSync(join(dir, MANIFEST_FILE), 100), 'ARTIFACT_CORRUPT', MANIFEST_FILE],
    ['manifest not an object', (dir) => writeFileSync(join(dir, MANIFEST_FILE), '[1,2]'), 'ARTIFACT_CORRUPT', MANIFEST_FILE],
    ['unknown format version', (dir) => editJson(join(dir, MANIFEST_FILE), (m) => { m['formatVersion'] = 99; }), 'ARTIFACT_UNSUPPORTED_VERSION', MANIFEST_FILE],
    ['other format', (dir) => editJson(join(dir, MANIFEST_FILE), (m) => { m['format'] = 'pickle'; }), 'ARTIFACT_CORRUPT', MANIFEST_FILE],
    ['unknown link function', (dir) => editJson(join(dir, MANIFEST_FILE), (m) => { m['link'] = 'tanh'; }), 'ARTIFACT_CORRUPT', MANIFEST_FILE],
    ['payload outside the directory', (dir) => editJson(join(dir, MANIFEST_FILE), (m) => { (m['payload'] as Record<string, unknown>)['file'] = '../../etc/passwd'; }), 'ARTIFACT_CORRUPT', MANIFEST_FILE],
    ['missing payload', (dir) => rmSync(join(dir, PAYLOAD_FILE)), 'ARTIFACT_NOT_FOUND', PAYLOAD_FILE],
    ['truncated payload', (dir) => truncateSync(join(dir, PAYLOAD_FILE), 1000), 'ARTIFACT_CORRUPT', PAYLOAD_FILE],
    ['payload with one byte changed', (dir) => {
      const bytes = readFileSync(join(dir, PAYLOAD_FILE));
      const at = bytes.indexOf('0.', 200);
      bytes[at] = '1'.charCodeAt(0);
      writeFileSync(join(dir, PAYLOAD_FILE), bytes);
    }, 'ARTIFACT_CHECKSUM_MISMATCH', PAYLOAD_FILE],
    ['schema with a category removed', (dir) => editJson(join(dir, MANIFEST_FILE), (m) => {
      const contract = ((m['schema'] as Record<string, unknown>)['features'] as Record<string, unknown>[]).find((f) => f['name'] === 'Contract')!;
      contract['categories'] = ['Month-to-month', 'One year'];
    }), 'ARTIFACT_SCHEMA_MISMATCH', MANIFEST_FILE],
    ['invalid schema', (dir) => editJson(join(dir, MANIFEST_FILE), (m) => { (m['schema'] as Record<string, unknown>)['features'] = []; }), 'ARTIFACT_CORRUPT', MANIFEST_FILE],
    ['model reading a column the schema does not have', (dir) => editPayload(dir, (p) => {
      const feature = p['feature'] as number[];
      feature[feature.findIndex((f) => f >= 0)] = 999;
    }), 'ARTIFACT_SCHEMA_MISMATCH', PAYLOAD_FILE],
    ['model width differing from the schema', (dir) => editPayload(dir, (p) => { p['columns'] = 12; }), 'ARTIFACT_SCHEMA_MISMATCH', PAYLOAD_FILE],
    ['tree with a cycle', (dir) => editPayload(dir, (p) => { (p['left'] as number[])[0] = 0; }), 'ARTIFACT_CORRUPT', PAYLOAD_FILE],
    ['non-numeric leaf', (dir) => editPayload(dir, (p) => { (p['value'] as unknown[])[3] = 'x'; }), 'ARTIFACT_CORRUPT', PAYLOAD_FILE],
    ['arrays of different lengths', (dir) => editPayload(dir, (p) => { (p['threshold'] as number[]).pop(); }), 'ARTIFACT_CORRUPT', PAYLOAD_FILE],
    ['payload of another algorithm', (dir) => editJson(join(dir, MANIFEST_FILE), (m) => { m['algorithm'] = 'logreg'; }), 'ARTIFACT_CORRUPT', PAYLOAD_FILE],
  ];
  for (const [name, change, code, file] of cases) {
    it(`${name}: ${code}`, () => {
      const dir = corrupted(change);
      assert.throws(() => loadModelArtifact(dir), (error: unknown) => {
        assert.ok(isChurnError(error), `expected a ChurnError, got ${String(error)}`);
        assert.equal(error.code, code);
        assert.ok(error.message.includes(join(dir, file)), `message names the file: ${error.message}`);
        return true;
      });
    });
  }
});
