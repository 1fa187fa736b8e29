import { readFileSync } from 'node:fs';
import { ChurnError } from '../errors.js';
import { parseCsvRecords } from '../features/csv-records.js';
import { telcoChurnSchema } from '../features/telco-schema.js';
import { bundledDataFile } from '../model/bundled-model.js';
import { SeededRandom } from '../foundation/seeded-random.js';

/** What each request carries: one record to /predict, or n records to /predict/batch. */
export type PayloadSpec = { kind: 'single' } | { kind: 'batch'; size: number };

/** The bodies a run cycles through, serialised once up front so the send path does no JSON work. */
export interface RequestPayloads {
  readonly spec: PayloadSpec;
  readonly path: string;
  readonly bodies: readonly Buffer[];
}

export function parsePayloadSpec(text: string): PayloadSpec {
  if (text === 'single') return { kind: 'single' };
  const match = /^batch:(\d+)$/.exec(text);
  const size = match ? Number(match[1]) : Number.NaN;
  if (!(Number.isInteger(size) && size >= 1 && size <= 100_000)) {
    throw new ChurnError('INVALID_ARGUMENT', `--payload must be "single" or "batch:<n>" with 1 <= n <= 100000, got "${text}"`);
  }
  return { kind: 'batch', size };
}

export function payloadSpecText(spec: PayloadSpec): string {
  return spec.kind === 'single' ? 'single' : `batch:${spec.size}`;
}

const recordsByFile = new Map<string, Record<string, unknown>[]>();

/** Records of the data file as a client would send them: the id and the features, never the label. Parsed once per file. */
function requestRecords(dataFile: string): Record<string, unknown>[] {
  const cached = recordsByFile.get(dataFile);
  if (cached !== undefined) return cached;
  let text: string;
  try {
    text = readFileSync(dataFile, 'utf8');
  } catch (cause) {
    throw new ChurnError('DATA_NOT_FOUND', `${dataFile}: cannot read (${(cause as Error).message})`);
  }
  const fields = [telcoChurnSchema.idField, ...telcoChurnSchema.features.map((f) => f.name)];
  const records = parseCsvRecords(text, telcoChurnSchema).records.map((row) => Object.fromEntries(fields.map((f) => [f, row[f]])));
  if (records.length === 0) throw new ChurnError('DATA_INVALID', `${dataFile}: no records to send`);
  recordsByFile.set(dataFile, records);
  return records;
}

/**
 * Samples records from the data set with a seeded generator (the same seed sends the same requests) and
 * serialises `poolSize` bodies; request i sends body i mod poolSize.
 */
export function buildRequestPayloads(
  spec: PayloadSpec,
  { seed = 42, poolSize = 512, dataFile = bundledDataFile }: { seed?: number; poolSize?: number; dataFile?: string } = {},
): RequestPayloads {
  const records = requestRecords(dataFile);
  const random = new SeededRandom(seed);
  const pick = () => records[Math.floor(random.next() * records.length)]!;
  const bodies: Buffer[] = [];
  // Big batches are large bodies: fewer distinct ones keep memory bounded (64 x 1,000 records is ~30 MB).
  const count = spec.kind === 'single' ? poolSize : Math.max(1, Math.min(poolSize, Math.floor(64_000 / spec.size)));
  for (let i = 0; i < count; i++) {
    const body = spec.kind === 'single' ? pick() : { records: Array.from({ length: spec.size }, pick) };
    bodies.push(Buffer.from(JSON.stringify(body)));
  }
  return { spec, path: spec.kind === 'single' ? '/predict' : '/predict/batch', bodies };
}
