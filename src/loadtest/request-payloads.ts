import { readFileSync } from 'node:fs';
import { ChurnError } from '../errors.js';
import { parseCsvRecords } from '../features/csv-records.js';
import { telcoChurnSchema } from '../features/telco-schema.js';
import { bundledDataFile } from '../model/bundled-model.js';
import { SeededRandom } from '../foundation/seeded-random.js';

/**
* What each request carries: one record to /predict, n records to /predict/batch, n records as an Open
 * Inference Protocol V2 request (one tensor per feature, as KServe and Triton clients send) to
 * /v2/models/<model>/infer, or one record to /predict with some features set to fixed values (a shifted
 * population, to demonstrate drift monitoring end to end).
 */
export type PayloadSpec =
  | { kind: 'single' }
  | { kind: 'batch'; size: number }
  | { kind: 'v2'; size: number }
  | { kind: 'drifted'; overrides: Readonly<Record<string, string | number | null>> };

/** `Contract=Month-to-month` or `tenure=2`: a value of the feature, as the schema takes it (null where nullable). */
function featureOverride(assignment: string, text: string): [string, string | number | null] {
  const at = assignment.indexOf('=');
  const name = assignment.slice(0, at);
  const raw = assignment.slice(at + 1);
  const feature = telcoChurnSchema.features.find((f) => f.name === name);
  const bad = (why: string): never => { throw new ChurnError('INVALID_ARGUMENT', `--payload ${text}: ${why}`); };
  if (at <= 0 || feature === undefined) return bad(`"${assignment}" must be <feature>=<value> with a feature of the schema (${telcoChurnSchema.features.map((f) => f.name).join(', ')})`);
  if (feature.kind === 'categorical') {
    if (!feature.categories.includes(raw)) bad(`${name} must be one of ${feature.categories.join(', ')}, got "${raw}"`);
    return [name, raw];
  }
  if (raw === 'null') return feature.nullable ? [name, null] : bad(`${name} cannot be missing`);
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < feature.minimum || value > feature.maximum || (feature.integer && !Number.isInteger(value))) {
    bad(`${name} must be ${feature.integer ? 'an integer' : 'a number'} from ${feature.minimum} to ${feature.maximum}, got "${raw}"`);
  }
  return [name, value];
}

/** The bodies a run cycles through, serialised once up front so the send path does no JSON work. */
export interface RequestPayloads {
  readonly spec: PayloadSpec;
  readonly path: string;
  readonly bodies: readonly Buffer[];
}

export function parsePayloadSpec(text: string): PayloadSpec {
  if (text === 'single') return { kind: 'single' };
  if (text.startsWith('drifted:')) {
    const assignments = text.slice('drifted:'.length).split(',').filter((a) => a !== '');
    if (assignments.length === 0) throw new ChurnError('INVALID_ARGUMENT', `--payload drifted: needs <feature>=<value>[,<feature>=<value>...], got "${text}"`);
    return { kind: 'drifted', overrides: Object.fromEntries(assignments.map((a) => featureOverride(a, text))) };
  }
  const match = /^(batch|v2):(\d+)$/.exec(text);
  const size = match ? Number(match[2]) : Number.NaN;
  if (!(Number.isInteger(size) && size >= 1 && size <= 100_000)) {
    throw new ChurnError('INVALID_ARGUMENT', `--payload must be "single", "batch:<n>" or "v2:<n>" with 1 <= n <= 100000, or "drifted:<feature>=<value>[,...]", got "${text}"`);
  }
  return { kind: match![1] as 'batch' | 'v2', size };
}

export function payloadSpecText(spec: PayloadSpec): string {
  if (spec.kind === 'drifted') return `drifted:${Object.entries(spec.overrides).map(([name, value]) => `${name}=${value === null ? 'null' : value}`).join(',')}`;
  return spec.kind === 'single' ? 'single' : `${spec.kind}:${spec.size}`;
}

/** A V2 inference request for these records: one [n] tensor per feature, BYTES for categoricals, FP64 (null where missing) for numerics. */
export function v2Request(records: readonly Record<string, unknown>[]): { inputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[] } {
  return {
    inputs: telcoChurnSchema.features.map((f) => ({
      name: f.name, datatype: f.kind === 'categorical' ? 'BYTES' : 'FP64', shape: [records.length], data: records.map((r) => r[f.name] ?? null),
    })),
  };
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
  { seed = 42, poolSize = 512, dataFile = bundledDataFile, model = 'churn' }: { seed?: number; poolSize?: number; dataFile?: string; model?: string } = {},
): RequestPayloads {
  const records = requestRecords(dataFile);
  const random = new SeededRandom(seed);
  const pick = () => records[Math.floor(random.next() * records.length)]!;
  const bodies: Buffer[] = [];
  // Big batches are large bodies: fewer distinct ones keep memory bounded (64 x 1,000 records is ~30 MB).
  const count = spec.kind === 'single' || spec.kind === 'drifted' ? poolSize : Math.max(1, Math.min(poolSize, Math.floor(64_000 / spec.size)));
  for (let i = 0; i < count; i++) {
    const body = spec.kind === 'single'
      ? pick()
      : spec.kind === 'drifted'
        ? { ...pick(), ...spec.overrides }
        : spec.kind === 'batch' ? { records: Array.from({ length: spec.size }, pick) } : v2Request(Array.from({ length: spec.size }, pick));
    bodies.push(Buffer.from(JSON.stringify(body)));
  }
  const path = spec.kind === 'batch' ? '/predict/batch' : spec.kind === 'v2' ? `/v2/models/${encodeURIComponent(model)}/infer` : '/predict';
  return { spec, path, bodies };
}
