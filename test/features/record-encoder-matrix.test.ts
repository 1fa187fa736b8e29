import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldError } from '../../src/errors.js';
import { compileRecordEncoder } from '../../src/features/record-encoder.js';
import type { FeatureSchema } from '../../src/features/schema.js';
import { telcoChurnSchema } from '../../src/features/telco-schema.js';

/** Every kind of numeric input: bounded integer, bounded nullable real, unbounded nullable (a foreign model's). */
const schema: FeatureSchema = {
  name: 'matrix-test', version: '1', idField: 'id', target: { name: 'y', positive: '1', negative: '0' },
  features: [
    { name: 'count', kind: 'numeric', description: '', integer: true, minimum: 0, maximum: 100, nullable: false },
    { name: 'ratio', kind: 'numeric', description: '', integer: false, minimum: -1, maximum: 1, nullable: true },
    { name: 'a/b~c', kind: 'numeric', description: '', integer: false, minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE, nullable: true },
  ],
};
const encoder = compileRecordEncoder(schema);

/** What `encode` makes of the same rows as records (null for a missing value, as the tensor codecs read NaN). */
function byRecords(rows: readonly (readonly (number | null)[])[]): { x: Float64Array; errors: FieldError[] } {
  const x = new Float64Array(rows.length * 3);
  const errors: FieldError[] = [];
  rows.forEach((row, r) => {
    const record = Object.fromEntries(schema.features.map((f, c) => [f.name, row[c] !== null && Number.isNaN(row[c]) ? null : row[c]]));
    errors.push(...(encoder.encode(record, x, r * 3, `/${r}`) ?? []));
  });
  return { x, errors };
}

describe('record encoder: all-numeric matrices', () => {
  it('validates and encodes a matrix exactly as it does the same rows as records: values, missing values and every error', () => {
    const edges = [0, 100, 50, -1, 1, 0.5, null, Number.NaN, -0.001, 100.5, 101, 1.0000001, Infinity, -Infinity, 3.25, 1e308];
    const rows: (number | null)[][] = [];
    for (let i = 0; i < 300; i++) rows.push([edges[i % edges.length]!, edges[(i * 7 + 3) % edges.length]!, edges[(i * 11 + 5) % edges.length]!]);
    const expected = byRecords(rows);
    const x = new Float64Array(rows.length * 3);
    const errors = encoder.encodeMatrix!(rows.flat(), rows.length, x) ?? [];
    assert.ok(expected.errors.length > 0 && expected.x.some((v) => Number.isNaN(v)), 'the rows exercise errors and missing values');
    assert.deepEqual(errors, expected.errors);
    // Where a row is valid, the encodings agree bit for bit (NaN where missing).
    const invalidRows = new Set(errors.map((e) => Number(e.path.split('/')[1])));
    for (let r = 0; r < rows.length; r++) {
      if (invalidRows.has(r)) continue;
      assert.deepEqual([...x.subarray(r * 3, r * 3 + 3)], [...expected.x.subarray(r * 3, r * 3 + 3)], `row ${r}`);
    }
  });

  it('reads typed arrays (a float32 tensor as sent) and escapes feature names in paths', () => {
    const x = new Float64Array(6);
    assert.equal(encoder.encodeMatrix!(Float32Array.of(3, 0.25, 7, 4, Number.NaN, -2), 2, x), undefined);
    assert.deepEqual([...x].map((v) => (Number.isNaN(v) ? 'NaN' : v)), [3, 0.25, 7, 4, 'NaN', -2]);
    const errors = encoder.encodeMatrix!([1, 0, Infinity], 1, new Float64Array(3));
    assert.deepEqual(errors?.map((e) => [e.path, e.reason]), [['/0/a~1b~0c', 'not_finite']]);
  });

  it('is offered only for schemas whose inputs are all numeric', () => {
    assert.equal(compileRecordEncoder(telcoChurnSchema).encodeMatrix, undefined);
  });
});
