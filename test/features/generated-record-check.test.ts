import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateRecordCheck } from '../../src/features/generated-record-check.js';
import { compileRecordEncoder } from '../../src/features/record-encoder.js';
import type { FeatureSchema } from '../../src/features/schema.js';
import { telcoChurnSchema } from '../../src/features/telco-schema.js';
import { validRecord } from '../helpers/fixtures.js';

// A schema with every kind of rule the generated code writes: bounds that are hit exactly, unbounded and negative
// ranges, integers, a nullable numeric, an open categorical, and names and categories that need escaping in source.
const awkward = 'quote " backslash \\ line\u2028end "); globalThis.injected = true; ("';
const edgeSchema: FeatureSchema = {
  name: 'edges', version: '1', idField: 'id',
  target: { name: 'y', positive: 'Yes', negative: 'No' },
  features: [
    { name: 'count', kind: 'numeric', description: '', integer: true, minimum: 0, maximum: 72, nullable: false },
    { name: 'charge', kind: 'numeric', description: '', integer: false, minimum: 18.25, maximum: 118.75, nullable: true },
    { name: 'delta', kind: 'numeric', description: '', integer: false, minimum: -Infinity, maximum: Infinity, nullable: false },
    { name: 'below', kind: 'numeric', description: '', integer: true, minimum: -5, maximum: -1, nullable: true },
    { name: awkward, kind: 'categorical', description: '', categories: ['a', awkward, 'A', ''], nullable: false },
    { name: 'free', kind: 'categorical', description: '', categories: [], nullable: false },
  ],
};

/** Values that sit on and around every rule: thresholds exactly, one step past them, every wrong type. */
const valueProbes: unknown[] = [
  undefined, null, 0, -0, 1, -1, 0.5, 18.25, 18.249999999999996, 118.75, 118.75000000000001, 72, 73, 71.99999999999999,
  -5, -6, -1, -1.5, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity,
  '', 'a', 'A', 'b', awkward, 'Male', 'Female', 'Month-to-month', 'month-to-month', 'Yes', 'No', 'No internet service', '1', true, false, {}, [], ['a'],
];

function probesOf(schema: FeatureSchema, base: Record<string, unknown>): unknown[] {
  const records: unknown[] = [base, null, [], 'record', 7, Object.create(null), { ...base, id: 'x'.repeat(256) }, { ...base, id: 'x'.repeat(257) }, { ...base, id: 3 }, { ...base, id: null }];
  for (const feature of schema.features) {
    for (const value of valueProbes) {
      const record = { ...base, [feature.name]: value };
      if (value === undefined) delete record[feature.name];
      records.push(record);
    }
  }
  return records;
}

/** The loop's verdict and encoding beside the generated check's, for each probe. */
function compare(schema: FeatureSchema, base: Record<string, unknown>): { probes: number; valid: number } {
  const loop = compileRecordEncoder(schema, { generate: false });
  const check = generateRecordCheck(loop.fields, schema.idField);
  assert.ok(check, 'the schema generates');
  let valid = 0;
  const probes = probesOf(schema, base);
  for (const record of probes) {
    const expected = new Float64Array(loop.width);
    const errors = loop.encode(record, expected, 0);
    const written = new Float64Array(loop.width + 3).fill(7);
    const accepted = check(record, written, 3);
    assert.equal(accepted, errors === undefined, `${JSON.stringify(record)}: loop says ${JSON.stringify(errors)}`);
    if (accepted) {
      valid += 1;
      assert.deepEqual([...written.subarray(0, 3)], [7, 7, 7], 'nothing written before the offset');
      assert.deepEqual(written.subarray(3), expected, JSON.stringify(record));
    }
  }
  return { probes: probes.length, valid };
}

describe('the generated record check (the encoder valid path)', () => {
  it('accepts exactly what the loop accepts on the bundled schema, and writes the same encoding', () => {
    const { probes, valid } = compare(telcoChurnSchema, validRecord() as unknown as Record<string, unknown>);
    assert.ok(valid > 40 && valid < probes - 200, `${valid} of ${probes} probes valid: both verdicts are exercised`);
  });

  it('does the same on bounds hit exactly, infinite and negative ranges, missing values and an open categorical', () => {
    const base = { count: 3, charge: 20, delta: -1e9, below: -2, [awkward]: awkward, free: 'anything' };
    const { probes, valid } = compare(edgeSchema, base);
    assert.ok(valid > 20 && valid < probes - 100, `${valid} of ${probes} probes valid`);
  });

  it('keeps names and categories as data: text that would end a string literal is matched, not run', () => {
    const check = generateRecordCheck(compileRecordEncoder(edgeSchema, { generate: false }).fields, 'id')!;
    const out = new Float64Array(8);
    assert.equal(check({ count: 0, charge: null, delta: 0, [awkward]: awkward, free: '' }, out, 0), true);
    // count, charge (null), delta, below (absent), then the one-hot columns a, the awkward category, A and ''.
    assert.deepEqual([...out], [0, NaN, 0, NaN, 0, 1, 0, 0]);
    assert.equal((globalThis as { injected?: boolean }).injected, undefined);
  });

  it('the encoder gives way to the loop when the check fails, so every failing field is still named', () => {
    const encoder = compileRecordEncoder(telcoChurnSchema);
    const out = new Float64Array(encoder.width);
    assert.equal(encoder.encode(validRecord(), out), undefined);
    assert.deepEqual(encoder.encode({ ...validRecord(), tenure: -1, Contract: 'Weekly' }, out, 0, '/records/2')?.map((e) => `${e.path} ${e.reason}`), [
      '/records/2/tenure range', '/records/2/Contract category',
    ]);
  });
});
