import { ChurnError, type FieldError } from '../errors.js';
import { parseCsvRecords, type CsvRecords } from '../features/csv-records.js';
import type { FeatureSchema } from '../features/schema.js';
import { spreadsheetSafeCell as cell } from '../reporting/csv-cell.js';
import type { BatchOutcome } from './model-service.js';

/** A text/csv request body, parsed with the feature schema by the content-type parser. */
export class CsvBatch {
  constructor(readonly csv: CsvRecords) {}

  static parse(text: string, schema: FeatureSchema): CsvBatch {
    return new CsvBatch(parseCsvRecords(text, schema));
  }
}

/** The records of a JSON batch body `{records: [...]}`; any other shape is INVALID_BODY. */
export function recordsOfJson(body: unknown): readonly unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ChurnError('INVALID_BODY', 'the body must be an object {"records": [...]}', [
      { path: '', reason: 'not_object', message: 'the body must be an object with a "records" array' },
    ]);
  }
  const records = (body as { records?: unknown }).records;
  if (!Array.isArray(records)) {
    throw new ChurnError('INVALID_BODY', 'the body must be an object {"records": [...]}', [
      records === undefined
        ? { path: '/records', reason: 'required', message: 'records is required' }
        : { path: '/records', reason: 'type', message: 'records must be an array' },
    ]);
  }
  return records;
}

/**
 * The records of a CSV batch. A header without some required feature columns fails as a whole, naming
 * them, rather than once per row.
 */
export function recordsOfCsv(batch: CsvBatch, schema: FeatureSchema): readonly unknown[] {
  const missing = schema.features.filter((f) => !f.nullable && batch.csv.missingColumns.includes(f.name));
  if (missing.length > 0) {
    const details: FieldError[] = missing.map((f) => ({ path: `/columns/${f.name}`, reason: 'required', message: `the CSV header has no ${f.name} column` }));
    throw new ChurnError('INVALID_BODY', `the CSV header lacks ${missing.length} required column(s)`, details);
  }
  return batch.csv.records;
}

/** Whether the client asked for CSV (`Accept: text/csv`). JSON stays the default. */
export function wantsCsv(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/csv');
}

/** One line per record, in order: customerID, churnProbability, churn, error (field paths and messages). */
export function batchCsv(outcome: BatchOutcome): string {
  const lines = ['customerID,churnProbability,churn,error'];
  for (const entry of outcome.results) {
    const id = cell(entry.customerID ?? '');
    lines.push('error' in entry
      ? `${id},,,${cell(entry.error.details.map((e) => `${e.path}: ${e.message}`).join('; '))}`
      : `${id},${entry.churnProbability},${entry.churn},`);
  }
  return lines.join('\n') + '\n';
}
