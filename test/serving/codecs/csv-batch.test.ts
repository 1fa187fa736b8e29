import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { ChurnError } from '../../../src/errors.js';
import { acceptsCsv, decodeCsvBatch, encodeBatchCsv } from '../../../src/serving/codecs/csv-batch.js';
import { recordsOfJsonBatch } from '../../../src/serving/codecs/json-records.js';
import type { BatchOutcome } from '../../../src/serving/predictions.js';
import { bundledModel } from '../../server/app-harness.js';

const outcome: BatchOutcome = {
  modelVersion: '1', threshold: 0.5, count: 3, failed: 1,
  results: [
    { customerID: 'A-1', churnProbability: 0.75, churn: true },
    { customerID: '=HYPERLINK("http://x","y")', error: { code: 'INVALID_RECORD', message: 'record 1 is invalid', details: [{ path: '/rows/1/tenure', reason: 'type', message: 'tenure must be a number, got "a, b"' }] } },
    { churnProbability: 0.25, churn: false },
  ],
};

describe('CSV and JSON batch codecs', () => {
  test('CSV out: one row per record in order, four columns, quoting preserved', () => {
    const rows = parse(encodeBatchCsv(outcome), { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 3);
    assert.deepEqual(rows[0], { customerID: 'A-1', churnProbability: '0.75', churn: 'true', error: '' });
    assert.equal(rows[1]!['churnProbability'], '');
    assert.equal(rows[1]!['error'], '/rows/1/tenure: tenure must be a number, got "a, b"');
    assert.deepEqual(rows[2], { customerID: '', churnProbability: '0.25', churn: 'false', error: '' });
  });

  test('CSV out: cells a spreadsheet would run as formulas are neutralised', () => {
    const rows = parse(encodeBatchCsv(outcome), { columns: true }) as Record<string, string>[];
    assert.ok(rows[1]!['customerID']!.startsWith("'="));
  });

  test('JSON in: only {records: [...]} is accepted', () => {
    assert.deepEqual(recordsOfJsonBatch({ records: [1, 2] }), [1, 2]);
    for (const body of [null, [], 'x', {}, { records: {} }]) {
      assert.throws(() => recordsOfJsonBatch(body), (e: unknown) => e instanceof ChurnError && e.code === 'INVALID_BODY');
    }
  });

  test('CSV in: a header without required columns fails as a whole, naming them', () => {
    const schema = bundledModel().manifest.schema;
    assert.throws(() => decodeCsvBatch('customerID,gender\nA,Male\n', schema), (e: unknown) => {
      assert.ok(e instanceof ChurnError && e.code === 'INVALID_BODY');
      assert.ok(e.details.some((d) => d.path === '/columns/tenure'));
      assert.ok(!e.details.some((d) => d.path === '/columns/TotalCharges'), 'nullable columns may be absent');
      return true;
    });
  });

  test('CSV in: malformed CSV is MALFORMED_CSV; records keep numbers, blanks become null', () => {
    const schema = bundledModel().manifest.schema;
    assert.throws(() => decodeCsvBatch('customerID,tenure\n"A,1\n', schema), (e: unknown) => e instanceof ChurnError && e.code === 'MALFORMED_CSV');
    const header = schema.features.map((f) => f.name).join(',');
    const [record] = decodeCsvBatch(`${header}\n${schema.features.map((f) => (f.name === 'TotalCharges' ? '' : f.kind === 'numeric' ? '3' : f.categories[0])).join(',')}\n`, schema);
    assert.equal(record!['tenure'], 3);
    assert.equal(record!['TotalCharges'], null);
  });

  test('Accept: text/csv asks for CSV; anything else gets JSON', () => {
    assert.equal(acceptsCsv('text/csv'), true);
    assert.equal(acceptsCsv('text/csv, application/json;q=0.5'), true);
    assert.equal(acceptsCsv('application/json'), false);
    assert.equal(acceptsCsv(undefined), false);
  });
});
