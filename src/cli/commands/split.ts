import { defineCommand } from 'citty';
import { compileRecordEncoder } from '../../features/record-encoder.js';
import { telcoChurnSchema } from '../../features/telco-schema.js';
import { bundledDataFile } from '../../model/bundled-model.js';
import { trainValidTestSplit } from '../../training/split.js';
import { loadTrainingData } from '../../training/training-data.js';
import { seedOption } from '../../foundation/option-values.js';
import { runSafely } from '../run-safely.js';

/** Prints which rows the training split rule puts where, so anyone can evaluate on exactly our test rows. */
export const splitCommand = defineCommand({
  meta: { name: 'split', description: 'Print the train/validation/test assignment of every row (CSV: row,customerID,split)' },
  args: {
    data: { type: 'string', description: 'training CSV', default: bundledDataFile },
    seed: { type: 'string', description: 'split seed', default: '42' },
  },
  run: ({ args }) => runSafely(() => {
    const seed = seedOption(args.seed);
    const data = loadTrainingData(args.data, compileRecordEncoder(telcoChurnSchema));
    const split = trainValidTestSplit(data.ids, data.y, seed);
    const part = new Array<string>(data.rows);
    for (const [name, rows] of [['train', split.train], ['validation', split.validation], ['test', split.test]] as const) {
      for (const r of rows) part[r] = name;
    }
    const lines = ['row,customerID,split', ...part.map((name, r) => `${r},${data.ids[r]},${name}`)];
    process.stdout.write(lines.join('\n') + '\n');
  }),
});
