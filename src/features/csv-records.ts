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
 * The value of one CSV cell. CSV has no types, so a numeric feature's cell is converted: a blank cell becomes
 * `null` (missing, never 0), a well-formed number becomes a number, and anything else stays a string for the
 * encoder to reject with its field path. Other cells stay strings.
 */
export function csvCellValue(cell: string, numeric: boolean): unknown {
  if (!numeric) return cell;
  const trimmed = cell.trim();
  return trimmed === '' ? null : NUMBER_PATTERN.test(trimmed) ? Number(trimmed) : cell;
}

/** The names of a schema's numeric features: the columns whose cells `csvCellValue` converts. */
export function numericColumnsOf(schema: FeatureSchema): ReadonlySet<string> {
  return new Set(schema.features.filter((f) => f.kind === 'numeric').map((f) => f.name));
}

/** The record of one data row under `header` (a repeated column name: the last cell wins). */
export function csvRecordOf(header: readonly string[], row: readonly string[], numericColumns: ReadonlySet<string>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let c = 0; c < header.length; c++) {
    const name = header[c]!;
    record[name] = csvCellValue(row[c] ?? '', numericColumns.has(name));
  }
  return record;
}

/** Parses CSV text with a header row (trimmed names) into records, converting cells with `csvCellValue`. */
export function parseCsvRecords(text: string, schema: FeatureSchema): CsvRecords {
  const rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  const header = (rows[0] ?? []).map((h) => h.trim());
  const numericColumns = numericColumnsOf(schema);
  const present = new Set(header);
  const missingColumns = schema.features.map((f) => f.name).filter((name) => !present.has(name));
  const records: Record<string, unknown>[] = [];
  for (let r = 1; r < rows.length; r++) records.push(csvRecordOf(header, rows[r]!, numericColumns));
  return { header, records, missingColumns };
}
