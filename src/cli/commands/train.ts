import { defineCommand } from 'citty';
import { bundledDataFile } from '../../model/bundled-model.js';
import { defaultGbdtParams } from '../../training/gbdt/gbdt-trainer.js';
import { trainModel } from '../../training/train-model.js';
import { NativeRuntime } from '../../runtimes/native-runtime.js';
import { cliDataPlane } from '../cli-model.js';
import { modelCardText } from '../model-card-text.js';
import { seedOption } from '../../foundation/option-values.js';
import { runSafely } from '../run-safely.js';
import { trainingProgress } from '../training-progress.js';

export const trainCommand = defineCommand({
  meta: { name: 'train', description: 'Train a churn model on a CSV file and write a versioned model artifact' },
  args: {
    data: { type: 'string', description: 'training CSV (header as in the Telco data file)', default: bundledDataFile },
    algo: { type: 'enum', options: ['gbdt', 'logreg'], description: 'gradient-boosted trees or logistic regression', default: 'gbdt' },
    out: { type: 'string', description: 'artifact directory to write', default: 'models/churn' },
    seed: { type: 'string', description: 'seed of the split and of subsampling', default: '42' },
    name: { type: 'string', description: 'model name', default: 'churn' },
    'model-version': { type: 'string', description: 'model version recorded in the artifact', default: '1.0.0' },
  },
  run: ({ args }) => runSafely(async () => {
    const seed = seedOption(args.seed);
    const algorithm = args.algo === 'logreg' ? 'logreg' : 'gbdt';
    const progress = algorithm === 'gbdt' ? trainingProgress(defaultGbdtParams.maxRounds) : undefined;
    const outcome = trainModel({
      data: args.data, algorithm, seed, out: args.out, name: args.name, version: args['model-version'],
      ...(progress ? { onRound: progress.onRound } : {}),
    });
    progress?.done(outcome.manifest.training.iterations.run);
    // The card of the artifact as written, read back and warmed up: what `info` and GET /model will show.
    const { card } = await cliDataPlane(NativeRuntime.open(args.out));
    process.stdout.write(`${modelCardText(card)}\n\nwrote ${args.out} in ${outcome.trainingSeconds.toFixed(2)} s\n`);
  }),
});
