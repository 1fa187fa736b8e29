import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRecordEncoder } from '../../src/features/record-encoder.js';
import { DriftMonitor, MINIMUM_WINDOW_RECORDS, PSI_THRESHOLDS, type DriftSnapshot } from '../../src/monitoring/drift-monitor.js';
import type { DriftWindowSpec } from '../../src/monitoring/sliding-window.js';
import { churnProbability, driftFixture, shifted } from './drift-fixtures.js';

const { loaded, heldOut } = driftFixture();
const { schema, referenceProfile } = loaded.manifest;
const encoder = compileRecordEncoder(schema);

function monitor(window: DriftWindowSpec = { kind: 'records', size: 10_000 }, clock?: () => number): DriftMonitor {
  return new DriftMonitor(schema, referenceProfile!, { window, ...(clock === undefined ? {} : { clock }) });
}

/** Observes each record's encoded row with its score, one at a time (the one-record path). */
function feed(drift: DriftMonitor, records: readonly Record<string, unknown>[]): void {
  const x = new Float64Array(encoder.width);
  for (const record of records) {
    assert.equal(encoder.encode(record, x, 0), undefined);
    drift.observe(x, 0, churnProbability(record));
  }
}

const feature = (snapshot: DriftSnapshot, name: string) => snapshot.features.find((f) => f.name === name)!;

describe('drift of a stationary stream', () => {
  const drift = monitor();
  feed(drift, heldOut);
  const snapshot = drift.snapshot();

  it('counts every record of the held-out slices', () => {
    assert.equal(snapshot.window.records, heldOut.length);
    assert.equal(snapshot.enoughData, heldOut.length >= MINIMUM_WINDOW_RECORDS);
  });

  it('keeps every feature and the score under the moderate PSI threshold (0.1)', () => {
    for (const f of snapshot.features) assert.ok(f.psi < PSI_THRESHOLDS.moderate, `${f.name}: PSI ${f.psi}`);
    assert.ok(snapshot.score.psi < PSI_THRESHOLDS.moderate, `score PSI ${snapshot.score.psi}`);
  });

  it('keeps Jensen-Shannon small, and no value out of the training range beyond a few', () => {
    for (const f of snapshot.features) {
      assert.ok(f.jensenShannon < 0.02, `${f.name}: JS ${f.jensenShannon}`);
      assert.ok(f.outOfRangeShare < 0.01, `${f.name}: out of range ${f.outOfRangeShare}`);
    }
  });

  it('reports missing shares close to the reference (TotalCharges is the only nullable feature)', () => {
    const total = feature(snapshot, 'TotalCharges');
    assert.ok(total.missingShare > 0 && total.missingShare < 0.01, String(total.missingShare));
    assert.equal(feature(snapshot, 'tenure').missingShare, 0);
  });

  it('bins shares add up to 1 on both sides, with labels for every bin', () => {
    for (const f of [...snapshot.features, { name: 'score', bins: snapshot.score.bins }]) {
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum(f.bins.reference) - 1) < 1e-9, f.name);
      assert.ok(Math.abs(sum(f.bins.live) - 1) < 1e-9, f.name);
      assert.equal(f.bins.labels.length, f.bins.live.length, f.name);
    }
  });

  it('rows binned as a batch and counted with their scores give the same counts as one at a time', () => {
    const batch = monitor();
    const x = new Float64Array(heldOut.length * encoder.width);
    heldOut.forEach((record, i) => assert.equal(encoder.encode(record, x, i * encoder.width), undefined));
    const binned = batch.binRows(x, heldOut.length, encoder.width);
    // The rows may change once binned (a runtime may read them as its library does, in place): the counts must not.
    x.fill(0);
    batch.countRows(binned, heldOut.map(churnProbability));
    assert.deepEqual(batch.snapshot(), snapshot);
  });

  it('bin() then count() is observe() in two steps', () => {
    const twoSteps = monitor();
    const x = new Float64Array(encoder.width);
    for (const record of heldOut) {
      encoder.encode(record, x, 0);
      twoSteps.bin(x, 0);
      x.fill(Number.NaN);
      twoSteps.count(churnProbability(record));
    }
    assert.deepEqual(twoSteps.snapshot(), snapshot);
  });
});

describe('drift of a stream with one shifted feature', () => {
  it('a categorical shift (every contract month-to-month) raises Contract above 0.2 and no other feature', () => {
    const drift = monitor();
    feed(drift, shifted(heldOut, { Contract: 'Month-to-month' }));
    const snapshot = drift.snapshot();
    assert.ok(feature(snapshot, 'Contract').psi > PSI_THRESHOLDS.significant, String(feature(snapshot, 'Contract').psi));
    for (const f of snapshot.features.filter((f) => f.name !== 'Contract')) assert.ok(f.psi < PSI_THRESHOLDS.moderate, `${f.name}: ${f.psi}`);
    // Month-to-month customers churn more: the scores move too.
    assert.ok(snapshot.score.psi > PSI_THRESHOLDS.significant, String(snapshot.score.psi));
    const stationary = monitor();
    feed(stationary, heldOut);
    assert.ok(snapshot.score.mean! > stationary.snapshot().score.mean! + 0.05, `${snapshot.score.mean} against ${stationary.snapshot().score.mean}`);
  });

  it('a numeric shift (tenure 2 for everyone) raises tenure; values beyond the training range count as out of range', () => {
    const drift = monitor();
    feed(drift, shifted(heldOut, { tenure: 2, MonthlyCharges: 150 }));
    const snapshot = drift.snapshot();
    assert.ok(feature(snapshot, 'tenure').psi > PSI_THRESHOLDS.significant);
    assert.equal(feature(snapshot, 'tenure').outOfRangeShare, 0);
    assert.equal(feature(snapshot, 'MonthlyCharges').outOfRangeShare, 1);
    assert.ok(feature(snapshot, 'MonthlyCharges').jensenShannon > 0.5);
  });

  it('a rise of missing values shows in the missing share and the PSI', () => {
    const drift = monitor();
    feed(drift, shifted(heldOut.slice(0, 1000), { TotalCharges: null }));
    const total = feature(drift.snapshot(), 'TotalCharges');
    assert.equal(total.missingShare, 1);
    assert.ok(total.psi > PSI_THRESHOLDS.significant);
  });
});

describe('the sliding window', () => {
  it('keeps the last N records: a shift pushed out by stationary traffic no longer shows', () => {
    const drift = monitor({ kind: 'records', size: 1000 });
    feed(drift, shifted(heldOut.slice(0, 1000), { Contract: 'Two year' }));
    assert.ok(feature(drift.snapshot(), 'Contract').psi > PSI_THRESHOLDS.significant);
    feed(drift, heldOut.slice(1000, 2000));
    const snapshot = drift.snapshot();
    assert.equal(snapshot.window.records, 1000);
    assert.ok(feature(snapshot, 'Contract').psi < PSI_THRESHOLDS.moderate, String(feature(snapshot, 'Contract').psi));
  });

  it('keeps the records of the last T seconds, moving a slice (T/60) at a time', () => {
    let now = 1_000_000;
    const drift = monitor({ kind: 'time', seconds: 60 }, () => now);
    feed(drift, shifted(heldOut.slice(0, 600), { Contract: 'Two year' }));
    now += 30_000;
    feed(drift, heldOut.slice(600, 1200));
    assert.equal(drift.snapshot().window.records, 1200);
    now += 31_000; // the shifted half is now older than 60 s
    const snapshot = drift.snapshot();
    assert.equal(snapshot.window.records, 600);
    assert.ok(feature(snapshot, 'Contract').psi < PSI_THRESHOLDS.moderate);
    now += 10 * 60_000;
    assert.equal(drift.snapshot().window.records, 0);
    assert.equal(drift.snapshot().score.mean, null);
  });
});

describe('refused values', () => {
  it('counts field errors per feature and reason: unknown categories, out-of-range numbers, non-objects', () => {
    const drift = monitor();
    const x = new Float64Array(encoder.width);
    for (const record of [{ ...heldOut[0], Contract: 'Three year' }, { ...heldOut[1], Contract: 'Lifetime', tenure: -4 }, 'not a record']) {
      drift.refused(encoder.encode(record, x) ?? []);
    }
    const snapshot = drift.snapshot();
    assert.deepEqual(feature(snapshot, 'Contract').refused, { category: 2 });
    assert.deepEqual(feature(snapshot, 'tenure').refused, { range: 1 });
    assert.equal(snapshot.refusedRecords, 1);
    assert.equal(snapshot.window.records, 0);
  });
});
