/**
 * What drift monitoring adds to the data plane, per record: the same records scored by the same model through
 * a data plane without a drift monitor and through data planes with one (last 10,000 records; last hour), one
 * record at a time (the REST hot path), in batches of 100 (/predict/batch) and as V2 tensors (infer), all in the
 * same run and interleaved sample by sample so machine noise hits them alike. The added cost is the median of
 * the paired differences. Target: <= 2 µs per record, and no allocation added to the one-record path (garbage
 * collections counted with and without). Also: the monitor's own observe(), and a snapshot (what a scrape or
 * GET /model/drift costs). Times are CPU time of this process.
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseCsvRecords } from '../src/features/csv-records.js';
import { compileRecordEncoder } from '../src/features/record-encoder.js';
import { loadModelArtifact } from '../src/model/artifact-loader.js';
import { bundledDataFile, bundledModelDirectory } from '../src/model/bundled-model.js';
import { DriftMonitor } from '../src/monitoring/drift-monitor.js';
import type { DriftWindowSpec } from '../src/monitoring/sliding-window.js';
import { NativeRuntime } from '../src/runtimes/native-runtime.js';
import { DataPlane } from '../src/serving/data-plane.js';
import { ServingMetrics } from '../src/serving/metrics/serving-metrics.js';
import type { BatchOutcome, SinglePrediction } from '../src/serving/predictions.js';
import { cpuMicros, median, reportBench } from './bench-report.js';

const loaded = loadModelArtifact(bundledModelDirectory);
const { schema, referenceProfile } = loaded.manifest;
if (referenceProfile === undefined) throw new Error('the bundled model has no reference profile: run npm run train');
const runtime = new NativeRuntime(loaded);
const records = parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), schema).records;
const bodies = records.map((r) => JSON.stringify(r));

const monitor = (window: DriftWindowSpec) => new DriftMonitor(schema, referenceProfile, { window });
/** A server's data plane (its own metrics registry), with or without a drift monitor. */
const plane = (drift?: DriftMonitor) => new DataPlane(runtime, { maxBatchSize: 1000, metrics: new ServingMetrics(), drift });
const plain = plane();
const lastRecords = plane(monitor({ kind: 'records', size: 10_000 }));
const lastHour = plane(monitor({ kind: 'time', seconds: 3600 }));

// The native model answers synchronously: results, never promises.
const one = (p: DataPlane, i: number) => (p.predict(records[i % records.length], {}, 'rest') as SinglePrediction).churnProbability;
const BATCH = 100;
const batches = Array.from({ length: Math.floor(records.length / BATCH) }, (_, b) => records.slice(b * BATCH, (b + 1) * BATCH));
const many = (p: DataPlane, i: number) => (p.predictBatch(batches[i % batches.length]!, {}, 'rest') as BatchOutcome).failed;
const tensors = (p: DataPlane, i: number) => {
  const result = p.infer(batches[i % batches.length]!, {}, 'v2');
  if (result instanceof Promise) throw new Error('the native model answers synchronously');
  return result.rows;
};

const encoder = compileRecordEncoder(schema);
const width = encoder.width;
const encoded = new Float64Array(records.length * width);
records.forEach((r, i) => encoder.encode(r, encoded, i * width));
const scores = Float64Array.from(records, (_, i) => one(plain, i));
const bareRecords = monitor({ kind: 'records', size: 10_000 });
const bareHour = monitor({ kind: 'time', seconds: 3600 });

let sink = 0;
/** Name, records per call, and one call (i: which record or batch). */
const scenarios: [string, number, (i: number) => void][] = [
  ['baseline: JSON.parse of the record', 1, (i) => { sink += (JSON.parse(bodies[i % bodies.length]!) as { tenure: number }).tenure; }],
  ['predict, no drift monitor', 1, (i) => { sink += one(plain, i); }],
  ['predict, drift over the last 10,000 records', 1, (i) => { sink += one(lastRecords, i); }],
  ['predict, drift over the last hour', 1, (i) => { sink += one(lastHour, i); }],
  [`predictBatch of ${BATCH}, no drift monitor`, BATCH, (i) => { sink += many(plain, i); }],
  [`predictBatch of ${BATCH}, drift over the last 10,000 records`, BATCH, (i) => { sink += many(lastRecords, i); }],
  [`infer (V2) of ${BATCH}, no drift monitor`, BATCH, (i) => { sink += tensors(plain, i); }],
  [`infer (V2) of ${BATCH}, drift over the last 10,000 records`, BATCH, (i) => { sink += tensors(lastRecords, i); }],
  ['monitor alone: observe(encoded row), last 10,000 records', 1, (i) => { bareRecords.observe(encoded, (i % records.length) * width, scores[i % records.length]!); }],
  ['monitor alone: observe(encoded row), last hour', 1, (i) => { bareHour.observe(encoded, (i % records.length) * width, scores[i % records.length]!); }],
];
const RECORDS_PER_SAMPLE = 2000;

// Warm up every path, then interleave the scenarios sample by sample.
for (let round = 0; round < 5; round++) for (const [, size, body] of scenarios) for (let i = 0; i < RECORDS_PER_SAMPLE / size; i++) body(i);
const samples = 150;
const micros = scenarios.map(() => [] as number[]);
for (let s = 0; s < samples; s++) {
  scenarios.forEach(([, size, body], k) => {
    const calls = RECORDS_PER_SAMPLE / size;
    const start = s * calls;
    micros[k]!.push(cpuMicros(() => { for (let c = 0; c < calls; c++) body(start + c); }) / RECORDS_PER_SAMPLE);
  });
}
// Drift must add no allocation to the one-record path: garbage collections during the same predict() calls
// without and with a monitor (the call itself allocates its answer; a few bytes more per call would show as more
// collections). GC entries are delivered asynchronously; the first round collects what earlier work left.
let collections = 0;
const gcObserver = new PerformanceObserver((list) => { collections += list.getEntries().length; });
gcObserver.observe({ entryTypes: ['gc'] });
const GC_CALLS = 1_000_000;
const collectionsDuring = async (p: DataPlane): Promise<number> => {
  await new Promise((resolve) => setImmediate(resolve));
  collections = 0;
  for (let i = 0; i < GC_CALLS; i++) sink += one(p, i);
  await new Promise((resolve) => setImmediate(resolve));
  return collections;
};
const gcRounds = { without: [] as number[], withDrift: [] as number[] };
for (let round = 0; round < 4; round++) {
  gcRounds.without.push(await collectionsDuring(plain));
  gcRounds.withDrift.push(await collectionsDuring(lastRecords));
}
gcObserver.disconnect();
const snapshotMicros = median(Array.from({ length: 50 }, () => cpuMicros(() => { sink += lastRecords.drift!.snapshot().score.psi; })));
if (sink === 42) process.stdout.write('');

const index = (name: string) => scenarios.findIndex(([n]) => n === name);
/** Median of the paired per-sample differences: what the drift monitor adds to the same calls. */
const added = (withDrift: string, without: string) => median(micros[index(withDrift)]!.map((v, s) => v - micros[index(without)]![s]!));
const medians = micros.map(median);
const additions: [string, string, string][] = [
  ['added by drift to predict, last 10,000 records', scenarios[2]![0], scenarios[1]![0]],
  ['added by drift to predict, last hour', scenarios[3]![0], scenarios[1]![0]],
  [`added by drift to predictBatch of ${BATCH}, per record`, scenarios[5]![0], scenarios[4]![0]],
  [`added by drift to infer (V2) of ${BATCH}, per record`, scenarios[7]![0], scenarios[6]![0]],
];
reportBench({
  scenario: 'drift',
  rows: [
    ...scenarios.map(([name], k) => ({ metric: `${name}, per record (median)`, value: medians[k]!, unit: 'µs' })),
    ...additions.map(([metric, withDrift, without]) => {
      const value = added(withDrift, without);
      return { metric: `${metric} (median of paired differences)`, value, unit: 'µs', note: `target <= 2 µs; +${(100 * value / medians[index(without)]!).toFixed(0)}% of the call` };
    }),
    { metric: `garbage collections during ${GC_CALLS.toLocaleString('en')} predict(), no drift monitor (median of 3 rounds)`, value: median(gcRounds.without.slice(1)), unit: 'count' },
    { metric: `garbage collections during ${GC_CALLS.toLocaleString('en')} predict(), drift over the last 10,000 records (median of 3 rounds)`, value: median(gcRounds.withDrift.slice(1)), unit: 'count', note: 'target: as many as without' },
    { metric: 'snapshot (PSI + JS of every feature and the score, at scrape time)', value: snapshotMicros, unit: 'µs' },
  ],
  extra: { features: schema.features.length, records: records.length, samples, recordsPerSample: RECORDS_PER_SAMPLE },
});
