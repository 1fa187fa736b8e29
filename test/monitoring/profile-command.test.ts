import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeOnnxModel } from '../../src/export/write-onnx-model.js';
import { loadModelArtifact } from '../../src/model/artifact-loader.js';
import { MANIFEST_FILE, PAYLOAD_FILE } from '../../src/model/artifact-manifest.js';
import { bundledDataFile, bundledModelDirectory } from '../../src/model/bundled-model.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { temporaryDirectory, validRecord } from '../helpers/fixtures.js';
import { bundledModel, testApp } from '../server/app-harness.js';
import { cliPath } from '../server/child-server.js';

const work = temporaryDirectory('churn-profile-');
after(() => rmSync(work, { recursive: true, force: true }));

function profile(model: string, data = bundledDataFile): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cliPath, 'profile', '--model', model, '--data', data], { encoding: 'utf8' });
}

describe('churn-predictor profile', () => {
  it('gives a version 1 artifact a profile: manifest rewritten as version 2, payload untouched', () => {
    const dir = join(work, 'v1');
    cpSync(bundledModelDirectory, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    delete manifest['referenceProfile'];
    manifest['formatVersion'] = 1;
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
    assert.equal(loadModelArtifact(dir).manifest.referenceProfile, undefined);

    const result = profile(dir);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /profiled 7043 records/);
    const loaded = loadModelArtifact(dir);
    assert.equal(loaded.manifest.formatVersion, 2);
    assert.equal(loaded.manifest.referenceProfile?.rows, 7043);
    assert.ok(readFileSync(join(dir, PAYLOAD_FILE)).equals(readFileSync(join(bundledModelDirectory, PAYLOAD_FILE))));
    assert.match(loaded.manifest.referenceProfile!.source, /telco-customer-churn\.csv/);
  });

  it('gives an ONNX model a profile in its sidecar manifest (other fields kept), which the server then monitors', async () => {
    const file = join(work, 'churn.onnx');
    const { manifest: sidecarFile } = writeOnnxModel(bundledModel(), file);
    const before = JSON.parse(readFileSync(sidecarFile, 'utf8')) as Record<string, unknown>;
    const result = profile(file);
    assert.equal(result.status, 0, result.stderr);
    const after = JSON.parse(readFileSync(sidecarFile, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(after).sort(), [...Object.keys(before), 'referenceProfile'].sort());
    assert.deepEqual(after['schema'], before['schema']);

    const { app } = await testApp({}, await openModel(file));
    try {
      assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: validRecord() })).statusCode, 200);
      const drift = (await app.inject({ method: 'GET', url: '/model/drift' })).json() as { available: boolean; window: { records: number } };
      assert.equal(drift.available, true);
      assert.equal(drift.window.records, 1);
    } finally {
      await app.close();
    }
  });

  it('refuses a URL, and a file no record of which the model accepts', () => {
    const url = profile('https://models.example/churn.json');
    assert.equal(url.status, 1);
    assert.match(url.stderr, /^error INVALID_ARGUMENT/);
    const empty = join(work, 'empty.csv');
    writeFileSync(empty, `${readFileSync(bundledDataFile, 'utf8').split('\n')[0]}\n`);
    const dir = join(work, 'untouched');
    cpSync(bundledModelDirectory, dir, { recursive: true });
    const result = profile(dir, empty);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^error DATA_INVALID/);
    assert.equal(readFileSync(join(dir, MANIFEST_FILE), 'utf8'), readFileSync(join(bundledModelDirectory, MANIFEST_FILE), 'utf8'));
  });
});
