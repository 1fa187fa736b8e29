#!/usr/bin/env node
import { defineCommand, runMain } from 'citty';
import { infoCommand } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { serveCommand } from './commands/serve.js';
import { splitCommand } from './commands/split.js';
import { trainCommand } from './commands/train.js';

const main = defineCommand({
  meta: { name: 'churn-predictor', description: 'Train, inspect and serve the telecom churn model' },
  subCommands: { train: trainCommand, info: infoCommand, predict: predictCommand, serve: serveCommand, split: splitCommand },
});

await runMain(main);
