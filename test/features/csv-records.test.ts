import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsvRecords } from '../../src/features/csv-records.js';
import { compileRecordEncoder } from '../../src/features/record-encoder.js';
import { telcoChurnSchema } from '../../src/features/telco-schema.js';

const header = 'customerID,gender,SeniorCitizen,Partner,Dependents,tenure,PhoneService,MultipleLines,InternetService,OnlineSecurity,OnlineBackup,DeviceProtection,TechSupport,StreamingTV,StreamingMovies,Contract,PaperlessBilling,PaymentMethod,MonthlyCharges,TotalCharges,Churn';
const row = (tenure: string, total: string) => `A-1,Female,0,Yes,No,${tenure},No,No phone service,DSL,No,Yes,No,No,No,No,Month-to-month,Yes,Electronic check,29.85,${total},No`;

describe('CSV records', () => {
  it('turns numeric cells into numbers and keeps other columns as strings', () => {
    const { records, missingColumns } = parseCsvRecords(`${header}\n${row('1', '29.85')}\n`, telcoChurnSchema);
    assert.deepEqual(missingColumns, []);
    assert.equal(records[0]!['tenure'], 1);
    assert.equal(records[0]!['SeniorCitizen'], 0);
    assert.equal(records[0]!['TotalCharges'], 29.85);
    assert.equal(records[0]!['customerID'], 'A-1');
    assert.equal(records[0]!['Churn'], 'No');
  });

  it('reads a blank TotalCharges (as in the data file: a single space) as missing', () => {
    const { records } = parseCsvRecords(`${header}\n${row('0', ' ')}\n`, telcoChurnSchema);
    assert.equal(records[0]!['TotalCharges'], null);
  });

  it('leaves malformed numbers for the encoder to reject with a field path', () => {
    const { records } = parseCsvRecords(`${header}\n${row('twelve', '1')}\n`, telcoChurnSchema);
    const encoder = compileRecordEncoder(telcoChurnSchema);
    const errors = encoder.encode(records[0], new Float64Array(encoder.width));
    assert.deepEqual(errors?.map((e) => [e.path, e.reason]), [['/tenure', 'type']]);
  });

  it('handles quoted cells, CRLF line ends and a byte-order mark', () => {
    const text = `\uFEFF${header}\r\n${row('5', '"100.5"').replace('Electronic check', '"Electronic check"')}\r\n`;
    const { records } = parseCsvRecords(text, telcoChurnSchema);
    assert.equal(records[0]!['TotalCharges'], 100.5);
    assert.equal(records[0]!['PaymentMethod'], 'Electronic check');
    assert.equal(records[0]!['customerID'], 'A-1');
  });

  it('names feature columns the header lacks', () => {
    const { missingColumns } = parseCsvRecords('customerID,gender\nA,Male\n', telcoChurnSchema);
    assert.equal(missingColumns.length, 18);
    assert.ok(missingColumns.includes('tenure'));
  });

  it('throws on rows with a different number of cells', () => {
    assert.throws(() => parseCsvRecords(`${header}\nA,Male\n`, telcoChurnSchema));
  });
});
