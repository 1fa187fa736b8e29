import { writeFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import { ChurnError } from '../../errors.js';
import { loadModelArtifact } from '../../model/artifact-loader.js';
import { bundledModelDirectory } from '../../model/bundled-model.js';
import { Predictor } from '../../model/predictor.js';
import { readCsvRecordsFile } from '../csv-input.js';
import { runSafely } from '../run-safely.js';

const csvCell = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export const predictCommand = defineCommand({
  meta: { name: 'predict', description: 'Score a CSV file of customers offline; writes customerID, churnProbability, churn, error' },
  args: {
    data: { type: 'positional', description: 'CSV file with the feature columns', required: true },
    model: { type: 'string', description: 'model artifact directory', default: bundledModelDirectory },
    out: { type: 'string', description: 'output CSV (default: stdout)' },
    threshold: { type: 'string', description: 'decision threshold overriding the model\'s' },
  },
  run: ({ args }) => runSafely(() => {
    const loaded = loadModelArtifact(args.model);
    const threshold = args.threshold === undefined ? undefined : Number(args.threshold);
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new ChurnError('INVALID_ARGUMENT', `--threshold must be a number within [0, 1], got "${args.threshold}"`);
    const { records } = readCsvRecordsFile(args.data, loaded.manifest.schema);
    const predictor = new Predictor(loaded, threshold === undefined ? {} : { threshold });
    const { results, failed } = predictor.predictBatch(records);
    const lines = ['customerID,churnProbability,churn,error'];
    for (const r of results) {
      const id = csvCell(r.customerID ?? '');
      lines.push(r.ok
        ? `${id},${r.churnProbability},${r.churn},`
        : `${id},,,${csvCell(r.errors.map((e) => `${e.path}: ${e.message}`).join('; '))}`);
    }
    const output = lines.join('\n') + '\n';
    if (args.out === undefined) process.stdout.write(output);
    else writeFileSync(args.out, output);
    process.stderr.write(`scored ${results.length - failed} of ${results.length} records; ${failed} invalid\n`);
  }),
});
