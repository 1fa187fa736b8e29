/**
 * Inference speed of the bundled model, validation and encoding included:
 * single-record latency (median of batches of calls) and batch throughput, each beside a baseline
 * measured in the same run (JSON.parse of the same record) so a noisy machine shows as a ratio.
 * Times are CPU time (user + system) of this process.
 */
import { readFileSync } from 'node:fs';
import { parseCsvRecords } from '../src/features/csv-records.js';
import { loadModelArtifact } from '../src/model/artifact-loader.js';
import { bundledDataFile, bundledModelDirectory } from '../src/model/bundled-model.js';
import { NativeRuntime } from '../src/runtimes/native-runtime.js';
import { DataPlane } from '../src/serving/data-plane.js';
import type { SinglePrediction, BatchOutcome } from '../src/serving/predictions.js';
import { cpuMicros, median, reportBench } from './bench-report.js';

const loaded = loadModelArtifact(bundledModelDirectory);
const plane = new DataPlane(new NativeRuntime(loaded), { maxBatchSize: Number.MAX_SAFE_INTEGER });
// The native model answers synchronously: the values are results, never promises.
const predictOne = (record: unknown) => plane.predict(record, {}, 'rest') as SinglePrediction;
const predictBatch = (records: readonly unknown[]) => plane.predictBatch(records, {}, 'rest') as BatchOutcome;
const records = parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), loaded.manifest.schema).records;
const bodies = records.map((r) => JSON.stringify(r));

function timePerCall(calls: number, body: (i: number) => void): number {
  return cpuMicros(() => { for (let i = 0; i < calls; i++) body(i); }) / calls;
}

// Warm up the JIT on every code path first.
let sink = 0;
for (let round = 0; round < 20; round++) for (const r of records) sink += predictOne(r).churnProbability;

const samples = 200;
const callsPerSample = 1000;
const singleMicros: number[] = [];
const parseMicros: number[] = [];
for (let s = 0; s < samples; s++) {
  const start = (s * callsPerSample) % records.length;
  singleMicros.push(timePerCall(callsPerSample, (i) => { sink += predictOne(records[(start + i) % records.length]).churnProbability; }));
  parseMicros.push(timePerCall(callsPerSample, (i) => { sink += (JSON.parse(bodies[(start + i) % bodies.length]!) as { tenure: number }).tenure; }));
}

const batch = Array.from({ length: 100_000 }, (_, i) => records[i % records.length]);
const batchSeconds: number[] = [];
for (let round = 0; round < 7; round++) {
  batchSeconds.push(cpuMicros(() => { sink += predictBatch(batch).failed; }) / 1e6);
}
const rowsPerSecond = batch.length / median(batchSeconds);
if (sink === 42) process.stdout.write('');

const singleMedian = median(singleMicros);
const parseMedian = median(parseMicros);
reportBench({
  scenario: 'model-inference',
  rows: [
    { metric: 'single record through the data plane: validate+encode+score, stage metrics (median)', value: singleMedian, unit: 'µs', note: 'target < 10 µs' },
    { metric: 'baseline: JSON.parse of the same record (median)', value: parseMedian, unit: 'µs' },
    { metric: 'single record / JSON.parse', value: singleMedian / parseMedian, unit: 'ratio' },
    { metric: 'batch of 100,000 records (median of 7)', value: rowsPerSecond, unit: 'rows/s', note: 'target > 300,000' },
  ],
  extra: { model: { name: loaded.manifest.name, version: loaded.manifest.version, algorithm: loaded.manifest.algorithm, trees: loaded.model.kind === 'tree-ensemble' ? loaded.model.roots.length : 0 } },
});
