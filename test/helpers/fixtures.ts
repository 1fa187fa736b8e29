import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsvRecords } from '../../src/features/csv-records.js';
import { telcoChurnSchema } from '../../src/features/telco-schema.js';
import { bundledDataFile } from '../../src/model/bundled-model.js';

/** A fresh temporary directory for one test. */
export function temporaryDirectory(prefix = 'churn-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let cachedRecords: Record<string, unknown>[] | undefined;

/** Every row of the bundled data file as a request record (with customerID and Churn columns). */
export function dataRecords(): Record<string, unknown>[] {
  cachedRecords ??= parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), telcoChurnSchema).records;
  return cachedRecords;
}

/** A valid record (the data file's first row), copied so tests may change it. */
export function validRecord(): Record<string, unknown> {
  return { ...dataRecords()[0]! };
}
