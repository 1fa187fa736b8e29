/**
 * Hot-path cost of drift monitoring: what one scored record costs the monitor (encoded-row and record forms,
 * record and time windows), beside two baselines measured in the same run: JSON.parse of the same record and
 * the model's own validate+encode+score. Target: <= 2 µs per record. Times are CPU time of this process.
 */
import { readFileSync } from 'node:fs';
import { parseCsvRecords } from '../src/features/csv-records.js';
import { compileRecordEncoder } from '../src/features/record-encoder.js';
import { loadModelArtifact } from '../src/model/artifact-loader.js';
import { bundledDataFile, bundledModelDirectory } from '../src/model/bundled-model.js';
import { Predictor } from '../src/model/predictor.js';
import { DriftMonitor } from '../src/monitoring/drift-monitor.js';
import { cpuMicros, median, reportBench } from './bench-report.js';

const loaded = loadModelArtifact(bundledModelDirectory);
const { schema, referenceProfile } = loaded.manifest;
if (referenceProfile === undefined) throw new Error('the bundled model has no reference profile: run npm run train');
const predictor = new Predictor(loaded);
const records = parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), schema).records;
const bodies = records.map((r) => JSON.stringify(r));
const scores = Float64Array.from(records, (r) => predictor.predictOne(r).churnProbability);
const encoder = compileRecordEncoder(schema);
const width = encoder.width;
const encoded = new Float64Array(records.length * width);
records.forEach((r, i) => encoder.encode(r, encoded, i * width));

const byRecords = new DriftMonitor(schema, referenceProfile, { window: { kind: 'records', size: 10_000 } });
const byTime = new DriftMonitor(schema, referenceProfile, { window: { kind: 'time', seconds: 3600 } });
let sink = 0;

const scenarios: [string, (i: number) => void][] = [
  ['baseline: JSON.parse of the record', (i) => { sink += (JSON.parse(bodies[i]!) as { tenure: number }).tenure; }],
  ['baseline: validate+encode+score (predictOne)', (i) => { sink += predictor.predictOne(records[i])!.churnProbability; }],
  ['observe(encoded row), last 10,000 records', (i) => { byRecords.observe(encoded, i * width, scores[i]!); }],
  ['observeRecord(record), last 10,000 records', (i) => { byRecords.observeRecord(records[i]!, scores[i]!); }],
  ['observe(encoded row), last hour', (i) => { byTime.observe(encoded, i * width, scores[i]!); }],
  ['observeRecord(record), last hour', (i) => { byTime.observeRecord(records[i]!, scores[i]!); }],
];

// Warm up every path, then interleave the scenarios sample by sample so machine noise hits them alike.
for (let round = 0; round < 5; round++) for (const [, body] of scenarios) for (let i = 0; i < records.length; i++) body(i);
const samples = 150;
const callsPerSample = 2000;
const micros = scenarios.map(() => [] as number[]);
for (let s = 0; s < samples; s++) {
  const start = (s * callsPerSample) % records.length;
  scenarios.forEach(([, body], k) => {
    micros[k]!.push(cpuMicros(() => { for (let c = 0; c < callsPerSample; c++) body((start + c) % records.length); }) / callsPerSample);
  });
}
const snapshotMicros = median(Array.from({ length: 50 }, () => cpuMicros(() => { sink += byRecords.snapshot().score.psi; })));
if (sink === 42) process.stdout.write('');

const medians = micros.map(median);
const scoring = medians[1]!;
reportBench({
  scenario: 'drift',
  rows: [
    ...scenarios.map(([name], k) => ({
      metric: `${name} (median)`, value: medians[k]!, unit: 'µs',
      ...(k >= 2 ? { note: `target <= 2 µs; ${(100 * medians[k]! / scoring).toFixed(0)}% of scoring` } : {}),
    })),
    { metric: 'snapshot (PSI + JS of every feature and the score, at scrape time)', value: snapshotMicros, unit: 'µs' },
  ],
  extra: { features: schema.features.length, records: records.length },
});
