import { defineCommand } from 'citty';
import { mlflowConnectionFromEnvironment } from '../../config/server-config.js';
import { ChurnError } from '../../errors.js';
import { bundledDataFile } from '../../model/bundled-model.js';
import { defaultGbdtParams, type RoundReport } from '../../training/gbdt/gbdt-trainer.js';
import { MlflowRunLogger } from '../../training/mlflow-tracking.js';
import { trainModel } from '../../training/train-model.js';
import { NativeRuntime } from '../../runtimes/native-runtime.js';
import { cliDataPlane } from '../cli-model.js';
import { modelCardText } from '../model-card-text.js';
import { seedOption } from '../../foundation/option-values.js';
import { runSafely } from '../run-safely.js';
import { trainingProgress } from '../training-progress.js';

/** MLflow's rule for alias names, checked here so a typo fails before training rather than after. */
const ALIAS = /^[A-Za-z0-9_-]{1,255}$/;

export const trainCommand = defineCommand({
  meta: { name: 'train', description: 'Train a churn model on a CSV file and write a versioned model artifact' },
  args: {
    data: { type: 'string', description: 'training CSV (header as in the Telco data file)', default: bundledDataFile },
    algo: { type: 'enum', options: ['gbdt', 'logreg'], description: 'gradient-boosted trees or logistic regression', default: 'gbdt' },
    out: { type: 'string', description: 'artifact directory to write', default: 'models/churn' },
    seed: { type: 'string', description: 'seed of the split and of subsampling', default: '42' },
    name: { type: 'string', description: 'model name', default: 'churn' },
    'model-version': { type: 'string', description: 'model version recorded in the artifact', default: '1.0.0' },
    mlflow: { type: 'boolean', description: 'log the training as an MLflow run (MLFLOW_TRACKING_URI, and MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN)', default: false },
    experiment: { type: 'string', description: 'MLflow experiment (created when missing; default MLFLOW_EXPERIMENT_NAME, else churn-predictor)' },
    'run-name': { type: 'string', description: 'MLflow run name (default: MLflow picks one)' },
    'register-as': { type: 'string', description: 'with --mlflow: register the model under this name as a new version' },
    alias: { type: 'string', description: 'with --register-as: point this alias (e.g. champion) at the new version' },
  },
  run: ({ args }) => runSafely(async () => {
    const seed = seedOption(args.seed);
    const registerAs = args['register-as'];
    const alias = args.alias;
    if (!args.mlflow && (registerAs !== undefined || alias !== undefined || args.experiment !== undefined || args['run-name'] !== undefined)) {
      throw new ChurnError('INVALID_ARGUMENT', '--experiment, --run-name, --register-as and --alias need --mlflow');
    }
    if (alias !== undefined && registerAs === undefined) throw new ChurnError('INVALID_ARGUMENT', '--alias needs --register-as (an alias names a version of a registered model)');
    if (alias !== undefined && (!ALIAS.test(alias) || /^(latest|v\d+)$/i.test(alias))) {
      throw new ChurnError('INVALID_ARGUMENT', `--alias must be letters, digits, "_" and "-" (not "latest" nor v<number>), got "${alias}"`);
    }
    if (registerAs !== undefined && registerAs.trim() === '') throw new ChurnError('INVALID_ARGUMENT', '--register-as needs a model name');
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const logger = args.mlflow
      ? new MlflowRunLogger({
        connection: mlflowConnectionFromEnvironment(process.env),
        experiment: args.experiment ?? process.env['MLFLOW_EXPERIMENT_NAME'] ?? 'churn-predictor',
        ...(args['run-name'] === undefined ? {} : { runName: args['run-name'] }),
        say,
      })
      : undefined;
    // The run exists before training starts, so its times are the training's and a failed training shows as FAILED.
    await logger?.start({ dataFile: args.data, startedAt: new Date() });
    try {
      const algorithm = args.algo === 'logreg' ? 'logreg' : 'gbdt';
      const progress = algorithm === 'gbdt' ? trainingProgress(defaultGbdtParams.maxRounds) : undefined;
      const history: RoundReport[] = [];
      const outcome = trainModel({
        data: args.data, algorithm, seed, out: args.out, name: args.name, version: args['model-version'],
        onRound: (report) => { history.push(report); progress?.onRound(report); },
      });
      progress?.done(outcome.manifest.training.iterations.run);
      // The card of the artifact as written, read back and warmed up: what `info` and GET /model will show.
      const { card: served } = await cliDataPlane(NativeRuntime.open(args.out));
      const card = modelCardText(served);
      process.stdout.write(`${card}\n\nwrote ${args.out} in ${outcome.trainingSeconds.toFixed(2)} s\n`);
      if (logger === undefined) return;
      await logger.logTraining(outcome.manifest, args.data, history, card);
      const source = await logger.logModel(outcome.manifest, args.out);
      const registered = registerAs === undefined ? undefined : await logger.register(registerAs, source, alias);
      await logger.finish('FINISHED');
      const run = logger.summary(registered);
      process.stdout.write(`mlflow run ${run.runId}: ${run.runUrl}\nserve it with MODEL_PATH=${run.modelPath}\n`);
    } catch (error) {
      await logger?.finish('FAILED').catch(() => undefined);
      throw error;
    }
  }),
});
