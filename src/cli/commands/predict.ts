import { writeFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import { ChurnError } from '../../errors.js';
import { bundledModelDirectory } from '../../model/bundled-model.js';
import { openModelFrom } from '../../model/sources/open-model-from.js';
import { batchCsv } from '../../server/batch-codecs.js';
import { servingModel } from '../../server/serving-model.js';
import { readCsvRecordsFile } from '../csv-input.js';
import { modelSourceOptions } from '../model-source-options.js';
import { runSafely } from '../run-safely.js';

export const predictCommand = defineCommand({
  meta: { name: 'predict', description: 'Score a CSV file of customers offline; writes customerID, churnProbability, churn, error' },
  args: {
    data: { type: 'positional', description: 'CSV file with the feature columns', required: true },
    model: { type: 'string', description: 'the model, as MODEL_PATH takes it: artifact directory, XGBoost .json or .onnx file, or an http(s):// or s3:// URL', default: bundledModelDirectory },
    out: { type: 'string', description: 'output CSV (default: stdout)' },
    threshold: { type: 'string', description: 'decision threshold overriding the model\'s' },
  },
  run: ({ args }) => runSafely(async () => {
    const threshold = args.threshold === undefined ? undefined : Number(args.threshold);
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new ChurnError('INVALID_ARGUMENT', `--threshold must be a number within [0, 1], got "${args.threshold}"`);
    const model = await openModelFrom(args.model, modelSourceOptions(args.model));
    try {
      // The server's data plane, so a file scores exactly as POST /predict/batch with text/csv would.
      const { service, warmUp } = servingModel(model, { threshold, maxBatchSize: Number.MAX_SAFE_INTEGER });
      if (!service.scoresRecords) {
        throw new ChurnError('INVALID_ARGUMENT', `${service.card.name} does not answer a churn probability (it is not a binary classifier); serve it and use the V2 protocol`);
      }
      await warmUp();
      const { records } = readCsvRecordsFile(args.data, service.schema);
      const outcome = await service.predictBatch(records, '/rows');
      if (args.out === undefined) process.stdout.write(batchCsv(outcome));
      else writeFileSync(args.out, batchCsv(outcome));
      process.stderr.write(`scored ${outcome.count - outcome.failed} of ${outcome.count} records; ${outcome.failed} invalid\n`);
    } finally {
      await model.close();
    }
  }),
});
