import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ChurnError, type FieldError } from '../errors.js';
import { parseCsvRecords } from '../features/csv-records.js';
import type { RecordEncoder } from '../features/record-encoder.js';
import type { LabelledMatrix } from './dataset-matrix.js';

/** A training CSV, validated through the same encoder that serves requests. */
export interface TrainingData extends LabelledMatrix {
  readonly file: string;
  readonly sha256: string;
  readonly ids: readonly string[];
  /** Per nullable feature, how many rows had it missing (kept, and treated as missing). */
  readonly missingCounts: Readonly<Record<string, number>>;
}

const MAX_REPORTED_ERRORS = 10;

export function loadTrainingData(file: string, encoder: RecordEncoder): TrainingData {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new ChurnError('DATA_NOT_FOUND', `${file}: cannot read training data (${(cause as Error).message})`, [], { cause });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { schema } = encoder;
  let parsed;
  try {
    parsed = parseCsvRecords(bytes.toString('utf8'), schema);
  } catch (cause) {
    throw new ChurnError('DATA_INVALID', `${file}: not valid CSV (${(cause as Error).message})`, [], { cause });
  }
  const { records, header } = parsed;
  const target = schema.target;
  if (!header.includes(target.name)) {
    throw new ChurnError('DATA_INVALID', `${file}: the label column "${target.name}" is missing from the header`);
  }
  if (records.length === 0) throw new ChurnError('DATA_INVALID', `${file}: no data rows`);

  const columns = encoder.width;
  const x = new Float64Array(records.length * columns);
  const y = new Uint8Array(records.length);
  const ids: string[] = [];
  const errors: FieldError[] = [];
  let badRows = 0;
  records.forEach((record, r) => {
    // Line numbers count the header as line 1.
    const rowErrors = encoder.encode(record, x, r * columns, `/line ${r + 2}`) ?? [];
    const label = record[target.name];
    if (label === target.positive) y[r] = 1;
    else if (label !== target.negative) {
      rowErrors.push({ path: `/line ${r + 2}/${target.name}`, reason: 'category', message: `${target.name} must be "${target.positive}" or "${target.negative}"` });
    }
    if (rowErrors.length > 0) {
      badRows++;
      if (errors.length < MAX_REPORTED_ERRORS) errors.push(...rowErrors.slice(0, MAX_REPORTED_ERRORS - errors.length));
    }
    ids.push(encoder.idOf(record) ?? `row-${r + 1}`);
  });
  if (badRows > 0) {
    // Rows are never dropped silently: a bad row stops training and says where it is.
    const first = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new ChurnError('DATA_INVALID', `${file}: ${badRows} row(s) do not match the feature schema, e.g. ${first}`, errors);
  }

  const missingCounts: Record<string, number> = {};
  schema.features.forEach((feature) => {
    if (feature.kind !== 'numeric' || !feature.nullable) return;
    const column = encoder.columns.findIndex((c) => c.name === feature.name);
    let count = 0;
    for (let r = 0; r < records.length; r++) if (Number.isNaN(x[r * columns + column]!)) count++;
    missingCounts[feature.name] = count;
  });
  return { file, sha256, ids, x, y, rows: records.length, columns, missingCounts };
}
