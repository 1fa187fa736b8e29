import { parse } from 'csv-parse/sync';
import type { FeatureSchema } from './schema.js';

/** CSV rows turned into records the encoder validates, exactly like JSON requests. */
export interface CsvRecords {
  readonly header: readonly string[];
  readonly records: Record<string, unknown>[];
  /** Feature columns the header lacks (a record then fails validation for them, unless nullable). */
  readonly missingColumns: readonly string[];
}

const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses CSV text with a header row. CSV has no types, so numeric feature cells are converted here:
 * a blank cell becomes `null` (missing, never 0), a well-formed number becomes a number, and anything
 * else stays a string for the encoder to reject with its field path. Other columns are kept as strings.
 */
export function parseCsvRecords(text: string, schema: FeatureSchema): CsvRecords {
  const rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  const header = (rows[0] ?? []).map((h) => h.trim());
  const numericColumns = new Set(schema.features.filter((f) => f.kind === 'numeric').map((f) => f.name));
  const present = new Set(header);
  const missingColumns = schema.features.map((f) => f.name).filter((name) => !present.has(name));
  const records: Record<string, unknown>[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    const record: Record<string, unknown> = {};
    for (let c = 0; c < header.length; c++) {
      const name = header[c]!;
      const cell = row[c] ?? '';
      if (numericColumns.has(name)) {
        const trimmed = cell.trim();
        record[name] = trimmed === '' ? null : NUMBER_PATTERN.test(trimmed) ? Number(trimmed) : cell;
      } else {
        record[name] = cell;
      }
    }
    records.push(record);
  }
  return { header, records, missingColumns };
}
