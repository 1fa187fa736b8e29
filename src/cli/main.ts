#!/usr/bin/env node
import { defineCommand, runMain } from 'citty';
import { explainCommand } from './commands/explain.js';
import { exportCommand } from './commands/export.js';
import { hpaCommand } from './commands/hpa.js';
import { infoCommand } from './commands/info.js';
import { loadtestCommand } from './commands/loadtest.js';
import { planCommand } from './commands/plan.js';
import { predictCommand } from './commands/predict.js';
import { serveCommand } from './commands/serve.js';
import { simulateCommand } from './commands/simulate.js';
import { splitCommand } from './commands/split.js';
import { trainCommand } from './commands/train.js';

const main = defineCommand({
  meta: { name: 'churn-predictor', description: 'Train, inspect and serve the telecom churn model' },
  subCommands: { train: trainCommand, info: infoCommand, predict: predictCommand, serve: serveCommand, loadtest: loadtestCommand, split: splitCommand, explain: explainCommand, hpa: hpaCommand, simulate: simulateCommand, plan: planCommand, export: exportCommand },
});

await runMain(main);
