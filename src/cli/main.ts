#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { defineCommand, runMain } from 'citty';
import { keepNextTickShape } from '../foundation/next-tick-shape.js';
import { requireWithCodeCache, type CodeCachedModule } from '../foundation/code-cache.js';

/** The server's CommonJS bundle in dist/src/bundle/, its name set by scripts/build-cli.mjs; tsc's output has none. */
declare const SERVE_BUNDLE: string | undefined;

// First, before any full collection can free the maps nextTick's entries go through (see the function).
keepNextTickShape();

// Commands load on first use: `serve` (what the container runs) should not pay for the training,
// load-testing and autoscaling modules at start-up.
const main = defineCommand({
  meta: { name: 'churn-predictor', description: 'Train, inspect, explain and serve the telecom churn model; load-test and plan its autoscaling' },
  subCommands: {
    serve: () => loadServeCommand(),
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

let serveBundle: CodeCachedModule | undefined;

/** From the code-cached bundle when built (see src/foundation/code-cache.ts), else from tsc's modules. */
async function loadServeCommand(): Promise<typeof import('./commands/serve.js').serveCommand> {
  if (typeof SERVE_BUNDLE !== 'string') return (await import('./commands/serve.js')).serveCommand;
  serveBundle = requireWithCodeCache(fileURLToPath(new URL(`../bundle/${SERVE_BUNDLE}`, import.meta.url)));
  const serve = serveBundle.exports as typeof import('./commands/serve.js');
  serve.serveStartFacts.codeCache = serveBundle.codeCache;
  return serve.serveCommand;
}

await runMain(main);
// The server is listening (runMain returns once it is): the start's functions are compiled, so the cache made now
// spares the next start all of it. Only after a start that succeeded, and only when the cache in place was not used.
if (serveBundle !== undefined && process.exitCode === undefined) serveBundle.save();
