import { ChurnError, type FieldError } from '../../errors.js';
import { parseCsvRecords } from '../../features/csv-records.js';
import type { FeatureSchema } from '../../features/schema.js';
import { csvCell } from '../../reporting/csv-cell.js';
import type { BatchOutcome } from '../predictions.js';

/**
 * The records of a CSV text in the data file's format. Malformed CSV is MALFORMED_CSV naming the line; a
 * header without some required feature columns fails as a whole (INVALID_BODY, one detail per column)
 * rather than once per row.
 */
export function decodeCsvBatch(text: string, schema: FeatureSchema): Record<string, unknown>[] {
  let csv;
  try {
    csv = parseCsvRecords(text, schema);
  } catch (cause) {
    throw new ChurnError('MALFORMED_CSV', `the CSV is not valid: ${(cause as Error).message}`, [], { cause });
  }
  const missing = schema.features.filter((f) => !f.nullable && csv.missingColumns.includes(f.name));
  if (missing.length > 0) {
    const details: FieldError[] = missing.map((f) => ({ path: `/columns/${f.name}`, reason: 'required', message: `the CSV header has no ${f.name} column` }));
    throw new ChurnError('INVALID_BODY', `the CSV header lacks ${missing.length} required column(s)`, details);
  }
  return csv.records;
}

/** The scored batch as CSV, one line per record in order: customerID, churnProbability, churn, error. */
export function encodeBatchCsv(outcome: BatchOutcome): string {
  const lines = ['customerID,churnProbability,churn,error'];
  for (const entry of outcome.results) {
    const id = csvCell(entry.customerID ?? '');
    lines.push('error' in entry
      ? `${id},,,${csvCell(entry.error.details.map((e) => `${e.path}: ${e.message}`).join('; '))}`
      : `${id},${entry.churnProbability},${entry.churn},`);
  }
  return lines.join('\n') + '\n';
}

/** Whether the client asked for CSV (`Accept: text/csv`). JSON stays the default. */
export function acceptsCsv(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/csv');
}
