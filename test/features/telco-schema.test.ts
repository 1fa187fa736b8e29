import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compileRecordEncoder } from '../../src/features/record-encoder.js';
import { encodedColumns, schemaProblems } from '../../src/features/schema.js';
import { telcoChurnSchema } from '../../src/features/telco-schema.js';
import { bundledDataFile } from '../../src/model/bundled-model.js';
import { dataRecords } from '../helpers/fixtures.js';

describe('telco churn schema', () => {
  it('names the 19 input features exactly as the data file columns, in file order', () => {
    const header = readFileSync(bundledDataFile, 'utf8').split('\n', 1)[0]!.trim().split(',');
    assert.deepEqual(telcoChurnSchema.features.map((f) => f.name), header.slice(1, 20));
    assert.equal(telcoChurnSchema.idField, header[0]);
    assert.equal(telcoChurnSchema.target.name, header[20]);
  });

  it('is structurally sound', () => {
    assert.deepEqual(schemaProblems(telcoChurnSchema), []);
  });

  it('accepts every row of the data file as a prediction request as it stands', () => {
    const encoder = compileRecordEncoder(telcoChurnSchema);
    const out = new Float64Array(encoder.width);
    const failures = dataRecords().filter((record) => encoder.encode(record, out) !== undefined);
    assert.equal(failures.length, 0);
  });

  it('lets only TotalCharges be missing', () => {
    assert.deepEqual(telcoChurnSchema.features.filter((f) => f.nullable).map((f) => f.name), ['TotalCharges']);
  });

  it('encodes numerics as one column and categoricals one-hot', () => {
    const columns = encodedColumns(telcoChurnSchema);
    const numerics = telcoChurnSchema.features.filter((f) => f.kind === 'numeric').length;
    const oneHot = telcoChurnSchema.features.reduce((n, f) => n + (f.kind === 'categorical' ? f.categories.length : 0), 0);
    assert.equal(columns.length, numerics + oneHot);
    assert.ok(columns.some((c) => c.name === 'Contract=Two year'));
  });
});

describe('schemaProblems', () => {
  const cases: [string, (s: Record<string, unknown>) => void][] = [
    ['no features', (s) => { s['features'] = []; }],
    ['duplicate feature', (s) => { s['features'] = [...(s['features'] as unknown[]), (s['features'] as unknown[])[0]]; }],
    ['single category', (s) => { (s['features'] as Record<string, unknown>[])[0] = { name: 'gender', kind: 'categorical', categories: ['F'], nullable: false }; }],
    ['unknown kind', (s) => { (s['features'] as Record<string, unknown>[])[0] = { name: 'gender', kind: 'text' }; }],
    ['inverted range', (s) => { (s['features'] as Record<string, unknown>[])[1] = { name: 'x', kind: 'numeric', integer: true, minimum: 5, maximum: 1, nullable: false }; }],
    ['missing target', (s) => { delete s['target']; }],
  ];
  for (const [name, breakIt] of cases) {
    it(`reports ${name}`, () => {
      const broken = structuredClone(telcoChurnSchema) as unknown as Record<string, unknown>;
      breakIt(broken);
      assert.ok(schemaProblems(broken).length > 0);
    });
  }
});
