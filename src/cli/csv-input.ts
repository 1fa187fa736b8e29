import { readFileSync } from 'node:fs';
import { ChurnError } from '../errors.js';
import { parseCsvRecords, type CsvRecords } from '../features/csv-records.js';
import type { FeatureSchema } from '../features/schema.js';

/** Reads a CSV file of customers for a command; unreadable or malformed files are one-line errors. */
export function readCsvRecordsFile(file: string, schema: FeatureSchema): CsvRecords {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ChurnError('DATA_NOT_FOUND', `${file}: cannot read (${(cause as Error).message})`, [], { cause });
  }
  try {
    return parseCsvRecords(text, schema);
  } catch (cause) {
    throw new ChurnError('DATA_INVALID', `${file}: not valid CSV (${(cause as Error).message})`, [], { cause });
  }
}
