import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldReason } from '../../src/errors.js';
import { compileRecordEncoder } from '../../src/features/record-encoder.js';
import { telcoChurnSchema } from '../../src/features/telco-schema.js';
import { validRecord } from '../helpers/fixtures.js';

const encoder = compileRecordEncoder(telcoChurnSchema);
const column = (name: string) => encoder.columns.findIndex((c) => c.name === name);

function encode(record: unknown, pathPrefix?: string) {
  const out = new Float64Array(encoder.width);
  return { errors: encoder.encode(record, out, 0, pathPrefix), out };
}

describe('record encoder', () => {
  it('writes numerics as they are and categoricals one-hot', () => {
    const { errors, out } = encode({ ...validRecord(), tenure: 34, Contract: 'Two year', TotalCharges: 1889.5 });
    assert.equal(errors, undefined);
    assert.equal(out[column('tenure')], 34);
    assert.equal(out[column('TotalCharges')], 1889.5);
    assert.equal(out[column('Contract=Two year')], 1);
    assert.equal(out[column('Contract=Month-to-month')], 0);
    assert.equal(out[column('Contract=One year')], 0);
  });

  it('encodes missing TotalCharges (null or absent) as NaN, never 0', () => {
    for (const record of [{ ...validRecord(), TotalCharges: null }, (({ TotalCharges: _, ...rest }) => rest)(validRecord())]) {
      const { errors, out } = encode(record);
      assert.equal(errors, undefined);
      assert.ok(Number.isNaN(out[column('TotalCharges')]!));
    }
  });

  it('writes at an offset without touching neighbours', () => {
    const out = new Float64Array(encoder.width * 3).fill(7);
    assert.equal(encoder.encode(validRecord(), out, encoder.width), undefined);
    assert.ok(out.subarray(0, encoder.width).every((v) => v === 7));
    assert.ok(out.subarray(2 * encoder.width).every((v) => v === 7));
  });

  it('ignores unknown fields such as the Churn label', () => {
    assert.equal(encode({ ...validRecord(), Churn: 'Yes', extra: { nested: true } }).errors, undefined);
  });

  const invalid: [string, Record<string, unknown>, string, FieldReason][] = [
    ['unknown category', { Contract: 'Three year' }, '/Contract', 'category'],
    ['wrong case category', { gender: 'female' }, '/gender', 'category'],
    ['missing required categorical', { Contract: undefined }, '/Contract', 'required'],
    ['null required numeric', { tenure: null }, '/tenure', 'required'],
    ['numeric as string', { tenure: '12' }, '/tenure', 'type'],
    ['categorical as number', { Partner: 1 }, '/Partner', 'type'],
    ['NaN', { MonthlyCharges: NaN }, '/MonthlyCharges', 'not_finite'],
    ['Infinity', { TotalCharges: Infinity }, '/TotalCharges', 'not_finite'],
    ['negative tenure', { tenure: -1 }, '/tenure', 'range'],
    ['negative charges', { MonthlyCharges: -0.01 }, '/MonthlyCharges', 'range'],
    ['fractional tenure', { tenure: 1.5 }, '/tenure', 'integer'],
    ['SeniorCitizen out of 0/1', { SeniorCitizen: 2 }, '/SeniorCitizen', 'range'],
    ['customerID not a string', { customerID: 12 }, '/customerID', 'type'],
  ];
  for (const [name, change, path, reason] of invalid) {
    it(`rejects ${name} with its field path and reason`, () => {
      const { errors } = encode({ ...validRecord(), ...change });
      assert.deepEqual(errors?.map((e) => [e.path, e.reason]), [[path, reason]]);
    });
  }

  it('names the allowed values for an unknown category', () => {
    const { errors } = encode({ ...validRecord(), Contract: 'Three year' });
    for (const category of ['Month-to-month', 'One year', 'Two year']) assert.ok(errors![0]!.message.includes(category));
  });

  it('reports every failing field at once, prefixed for batches', () => {
    const { errors } = encode({ ...validRecord(), tenure: -3, gender: 'x', PaymentMethod: null }, '/records/4');
    assert.deepEqual(errors?.map((e) => e.path).sort(), ['/records/4/PaymentMethod', '/records/4/gender', '/records/4/tenure']);
  });

  for (const notObject of [null, 42, 'text', [1, 2], true]) {
    it(`rejects ${JSON.stringify(notObject)} as not an object`, () => {
      assert.deepEqual(encode(notObject, '/records/0').errors?.map((e) => [e.path, e.reason]), [['/records/0', 'not_object']]);
    });
  }

  it('reports every required field of an empty object', () => {
    const { errors } = encode({});
    assert.equal(errors?.length, telcoChurnSchema.features.filter((f) => !f.nullable).length);
    assert.ok(errors?.every((e) => e.reason === 'required'));
  });

  it('passes customerID through', () => {
    assert.equal(encoder.idOf({ customerID: 'abc' }), 'abc');
    assert.equal(encoder.idOf({}), undefined);
  });
});
