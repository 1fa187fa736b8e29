#!/usr/bin/env node
import { defineCommand, runMain } from 'citty';
import { keepNextTickShape } from '../foundation/next-tick-shape.js';

// First, before any full collection can free the maps nextTick's entries go through (see the function).
keepNextTickShape();

// Commands load on first use: `serve` (what the container runs) should not pay for the training,
// load-testing and autoscaling modules at start-up.
const main = defineCommand({
  meta: { name: 'churn-predictor', description: 'Train, inspect, explain and serve the telecom churn model; load-test and plan its autoscaling' },
  subCommands: {
    serve: () => import('./commands/serve.js').then((m) => m.serveCommand),
    train: () => import('./commands/train.js').then((m) => m.trainCommand),
    info: () => import('./commands/info.js').then((m) => m.infoCommand),
    predict: () => import('./commands/predict.js').then((m) => m.predictCommand),
    explain: () => import('./commands/explain.js').then((m) => m.explainCommand),
    split: () => import('./commands/split.js').then((m) => m.splitCommand),
    export: () => import('./commands/export.js').then((m) => m.exportCommand),
    profile: () => import('./commands/profile.js').then((m) => m.profileCommand),
    loadtest: () => import('./commands/loadtest.js').then((m) => m.loadtestCommand),
    hpa: () => import('./commands/hpa.js').then((m) => m.hpaCommand),
    simulate: () => import('./commands/simulate.js').then((m) => m.simulateCommand),
    plan: () => import('./commands/plan.js').then((m) => m.planCommand),
  },
});

await runMain(main);
