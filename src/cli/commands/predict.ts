import { writeFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import { ChurnError } from '../../errors.js';
import { bundledModelDirectory } from '../../model/bundled-model.js';
import { encodeBatchCsv } from '../../serving/codecs/csv-batch.js';
import { cliDataPlane, openCliModel } from '../cli-model.js';
import { readDataFile } from '../text-file.js';
import { numberOption } from '../../foundation/option-values.js';
import { runSafely } from '../run-safely.js';

/** Exit code when the file was scored but some records were invalid (their errors are in the output). */
export const SOME_RECORDS_INVALID = 2;

export const predictCommand = defineCommand({
  meta: { name: 'predict', description: 'Score a CSV file of customers offline, as POST /predict/batch scores it; writes customerID, churnProbability, churn, error' },
  args: {
    data: { type: 'positional', description: 'CSV file with the feature columns (the data file\'s format)', required: true },
    model: { type: 'string', description: 'the model, as MODEL_PATH takes it: artifact directory, XGBoost .json or .ubj, LightGBM .txt or .onnx file, or an http(s):// or s3:// URL', default: bundledModelDirectory },
    out: { type: 'string', description: 'output CSV (default: stdout)' },
    threshold: { type: 'string', description: 'decision threshold overriding the model\'s' },
  },
  run: ({ args }) => runSafely(async () => {
    const threshold = numberOption(args.threshold, 'threshold', { max: 1 });
    const bytes = readDataFile(args.data);
    const model = await openCliModel(args.model);
    try {
      const plane = await cliDataPlane(model, threshold);
      if (!plane.scoresRecords) {
        throw new ChurnError('INVALID_ARGUMENT', `${plane.name} does not answer a churn probability (it is a ${plane.card.task} model); serve it and use the V2 protocol`);
      }
      // The server's CSV path, errors and all: a malformed file or a header without required columns fails as a whole.
      const outcome = await plane.predictCsvBatch(bytes, {}, 'cli');
      if (args.out === undefined) process.stdout.write(encodeBatchCsv(outcome));
      else writeFileSync(args.out, encodeBatchCsv(outcome));
      process.stderr.write(`scored ${outcome.count - outcome.failed} of ${outcome.count} records; ${outcome.failed} invalid\n`);
      if (outcome.failed > 0) process.exitCode = SOME_RECORDS_INVALID;
    } finally {
      await model.close();
    }
  }),
});
