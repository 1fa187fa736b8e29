/**
 * Explanation cost per record for the bundled model: exact TreeSHAP contributions on an encoded record,
 * and a whole explained prediction (with reasons), beside a plain prediction measured in the same run.
 * Times are CPU time per record (median of samples).
 */
import { readFileSync } from 'node:fs';
import { parseCsvRecords } from '../src/features/csv-records.js';
import { loadModelArtifact } from '../src/model/artifact-loader.js';
import { bundledDataFile, bundledModelDirectory } from '../src/model/bundled-model.js';
import { Explainer } from '../src/explain/explainer.js';
import { NativeRuntime } from '../src/runtimes/native-runtime.js';
import { DataPlane } from '../src/serving/data-plane.js';
import type { SinglePrediction } from '../src/serving/predictions.js';
import { cpuMicros, median, reportBench } from './bench-report.js';

const loaded = loadModelArtifact(bundledModelDirectory);
const plane = new DataPlane(new NativeRuntime(loaded), { maxBatchSize: 1 });
const explainer = new Explainer(loaded);
const predict = (record: unknown, explain: boolean) => plane.predict(record, { explain }, 'rest') as SinglePrediction;
const records = parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), loaded.manifest.schema).records;
const width = loaded.encoder.width;
const encoded = new Float64Array(records.length * width);
records.forEach((r, i) => loaded.encoder.encode(r, encoded, i * width));
const perFeature = new Float64Array(loaded.manifest.schema.features.length);

function microsPerRecord(body: (i: number) => void): number[] {
  const samples: number[] = [];
  const perSample = 1000;
  for (let s = 0; s < 40; s++) {
    const first = (s * perSample) % records.length;
    samples.push(cpuMicros(() => { for (let i = 0; i < perSample; i++) body((first + i) % records.length); }) / perSample);
  }
  return samples.slice(10); // the first rounds warm the JIT up
}

let sink = 0;
const shapOnly = median(microsPerRecord((i) => { sink += explainer.featureContributions(encoded, i * width, perFeature); }));
const explained = median(microsPerRecord((i) => { sink += predict(records[i], true).churnProbability; }));
const plain = median(microsPerRecord((i) => { sink += predict(records[i], false).churnProbability; }));
if (sink === 0) process.stdout.write('');

reportBench({
  scenario: 'explain',
  rows: [
    { metric: 'TreeSHAP contributions, encoded record', value: shapOnly, unit: 'µs', note: 'target < 100 µs' },
    { metric: 'explained prediction (validate, score, SHAP, reasons)', value: explained, unit: 'µs' },
    { metric: 'baseline: plain prediction', value: plain, unit: 'µs' },
    { metric: 'explained / plain', value: explained / plain, unit: 'ratio' },
  ],
  extra: { trees: loaded.model.kind === 'tree-ensemble' ? loaded.model.roots.length : 0 },
});
