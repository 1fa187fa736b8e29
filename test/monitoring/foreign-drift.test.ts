import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { v2Request } from '../../src/loadtest/request-payloads.js';
import { bundledDataFile } from '../../src/model/bundled-model.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { loadXGBoostRuntime } from '../../src/runtimes/xgboost-runtime.js';
import { dataRecords, temporaryDirectory } from '../helpers/fixtures.js';
import { testApp } from '../server/app-harness.js';
import { cliPath } from '../server/child-server.js';

/*
 * Foreign models of every task, profiled by `churn-predictor profile` and then served the very rows they were
 * profiled on: the live window must match the reference bin for bin, whichever way the rows came (one at a time,
 * in batches, as V2 tensors), and whatever the task's score is. The profile's numeric edges are values of the data:
 * a live value read any other way than the profile's (say, rounded to float32 as XGBoost reads it) would fall into
 * the bin beneath an edge.
 */

const work = temporaryDirectory('churn-foreign-drift-');
after(() => rmSync(work, { recursive: true, force: true }));

const FEATURES = ['tenure', 'monthly_charges', 'total_charges', 'support_calls', 'contract_months', 'age'];

interface Fixture { file: string; rows: (number | null)[][] }

/** An XGBoost test model (trained by XGBoost itself, test/fixtures/xgboost) beside a CSV of the rows its expectations were computed on. */
function fixture(name: string): Fixture & { csv: string } {
  const source = join(packageRoot, 'test', 'fixtures', 'xgboost');
  const file = join(work, `${name}.json`);
  copyFileSync(join(source, `${name}.model.json`), file);
  const { rows } = JSON.parse(readFileSync(join(source, `${name}.expected.json`), 'utf8')) as { rows: (number | null)[][] };
  const csv = join(work, `${name}.csv`);
  writeFileSync(csv, `${FEATURES.join(',')}\n${rows.map((row) => row.map((v) => (v === null ? '' : String(v))).join(',')).join('\n')}\n`);
  return { file, rows, csv };
}

const recordsOf = (rows: (number | null)[][]) => rows.map((row) => Object.fromEntries(FEATURES.map((name, i) => [name, row[i]])));

function v2Body(rows: (number | null)[][]): unknown {
  return { inputs: FEATURES.map((name, i) => ({ name, datatype: 'FP64', shape: [rows.length], data: rows.map((row) => row[i]) })) };
}

interface Bins { labels: string[]; reference: number[]; live: number[] }
interface Drift { available: boolean; window: { records: number }; score: { psi: number; bins: Bins }; features: { name: string; kind: string; psi: number; bins: Bins }[] }

/** The window holds `records` records distributed exactly as the profile (PSI 0 when as many; smoothing aside otherwise). */
function assertSameDistribution(drift: Drift, records: number, profiled: number): void {
  assert.equal(drift.available, true);
  assert.equal(drift.window.records, records);
  const psiBound = records === profiled ? 0 : 1e-3;
  for (const f of drift.features) {
    assert.deepEqual(f.bins.live, f.bins.reference, `${f.name}: ${JSON.stringify(f.bins)}`);
    assert.ok(f.psi <= psiBound, `${f.name}: PSI ${f.psi}`);
  }
  assert.deepEqual(drift.score.bins.live, drift.score.bins.reference, JSON.stringify(drift.score.bins));
  assert.ok(drift.score.psi <= psiBound, `score PSI ${drift.score.psi}`);
}

for (const [name, task] of [['binary-logistic', 'binary'], ['multi-softprob', 'multiclass'], ['reg-squarederror', 'regression']] as const) {
  describe(`an XGBoost ${task} model (${name}), profiled, then served its own rows`, () => {
    const { file, rows, csv } = fixture(name);

    it('churn-predictor profile writes its sidecar\'s reference profile', () => {
      const result = spawnSync(process.execPath, [cliPath, 'profile', '--model', file, '--data', csv], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`profiled ${rows.length} records`));
    });

    it('V2 infer fills the window bin for bin as the profile', async () => {
      const { app } = await testApp({ DRIFT_WINDOW: '100' }, loadXGBoostRuntime(file));
      try {
        const card = (await app.inject({ method: 'GET', url: '/model' })).json() as { task: string; referenceProfile: { rows: number } | null };
        assert.deepEqual([card.task, card.referenceProfile?.rows], [task, rows.length]);
        const response = await app.inject({ method: 'POST', url: `/v2/models/${name}/infer`, payload: v2Body(rows) as object });
        assert.equal(response.statusCode, 200, response.body);
        assertSameDistribution((await app.inject({ method: 'GET', url: '/model/drift' })).json() as Drift, rows.length, rows.length);
      } finally {
        await app.close();
      }
    });

    if (task === 'binary') {
      it('so do /predict one record at a time (the hot path, the runtime\'s one-row probability) and /predict/batch', async () => {
        const { app } = await testApp({ DRIFT_WINDOW: '100' }, loadXGBoostRuntime(file));
        try {
          for (const record of recordsOf(rows)) assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: record })).statusCode, 200);
          assertSameDistribution((await app.inject({ method: 'GET', url: '/model/drift' })).json() as Drift, rows.length, rows.length);
          // The window (at least 100 records) now holds the rows twice: the same shares.
          assert.equal((await app.inject({ method: 'POST', url: '/predict/batch', payload: { records: recordsOf(rows) } })).statusCode, 200);
          assertSameDistribution((await app.inject({ method: 'GET', url: '/model/drift' })).json() as Drift, 2 * rows.length, rows.length);
        } finally {
          await app.close();
        }
      });
    }
  });
}

describe('a LightGBM binary classifier with categories by name (trained by LightGBM on the churn data), profiled, then served its own rows', () => {
  const ROWS = 1000;
  const file = join(work, 'lightgbm-churn.txt');
  copyFileSync(join(packageRoot, 'test', 'fixtures', 'tree-models', 'lightgbm-4.6.0', 'binary-categorical.txt'), file);
  const csv = join(work, 'churn-slice.csv');
  writeFileSync(csv, `${readFileSync(bundledDataFile, 'utf8').split('\n').slice(0, ROWS + 1).join('\n')}\n`);
  const records = dataRecords().slice(0, ROWS);

  it('REST (one at a time and in a batch) and V2 each fill the window bin for bin as the profile, categories included', async () => {
    const result = spawnSync(process.execPath, [cliPath, 'profile', '--model', file, '--data', csv], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const { app } = await testApp({ DRIFT_WINDOW: String(ROWS) }, await openModel(file));
    try {
      const drift = async () => (await app.inject({ method: 'GET', url: '/model/drift' })).json() as Drift;
      for (const record of records) assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: record })).statusCode, 200);
      const one = await drift();
      assert.ok(one.features.filter((f) => f.kind === 'categorical').length >= 15, 'categorical inputs are binned by category');
      assertSameDistribution(one, ROWS, ROWS);
      assert.equal((await app.inject({ method: 'POST', url: '/predict/batch', payload: { records } })).statusCode, 200);
      assertSameDistribution(await drift(), ROWS, ROWS);
      const v2 = await app.inject({ method: 'POST', url: '/v2/models/lightgbm-churn/infer', payload: v2Request(records) });
      assert.equal(v2.statusCode, 200, v2.body);
      assertSameDistribution(await drift(), ROWS, ROWS);
    } finally {
      await app.close();
    }
  });
});
