/**
 * The console's own routes over the serving core, without a browser: its data calls are REST calls (admitted,
 * counted, scored by the data plane), and everything it answers follows the data plane of the moment.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';
import type { GlobalImportance } from '../../src/explain/global-importance.js';
import type { ModelRuntime } from '../../src/runtimes/model-runtime.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { loadXGBoostRuntime } from '../../src/runtimes/xgboost-runtime.js';
import { ConsoleSamples } from '../../src/server/console-samples.js';
import { DataPlane } from '../../src/serving/data-plane.js';
import type { ServingCore } from '../../src/serving/serving-core.js';
import { ChurnError } from '../../src/errors.js';
import { bundledModel, errorOf, testApp } from '../server/app-harness.js';

const xgboostModel = join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json');

/** The bundled model, counting the explain calls it receives. */
function countingRuntime(): { runtime: ModelRuntime; explainCalls: () => number } {
  const native = new NativeRuntime(bundledModel());
  let calls = 0;
  const runtime: ModelRuntime = {
    description: native.description,
    encoder: native.encoder,
    predict: (rows) => native.predict(rows),
    probability: (x, offset) => native.probability(x, offset),
    explain: (rows) => {
      calls++;
      return native.explain(rows);
    },
    close: () => native.close(),
  };
  return { runtime, explainCalls: () => calls };
}

/** A sample of the core's metrics text, or undefined when the series is absent. */
async function metricValue(core: ServingCore, series: string): Promise<number | undefined> {
  const line = (await core.metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function swapIn(core: ServingCore, runtime: ModelRuntime): Promise<void> {
  const plane = new DataPlane(runtime, { maxBatchSize: core.plane.maxBatchSize, metrics: core.metrics });
  await plane.warmUp();
  core.swap(plane);
}

describe('the console routes over the serving core', () => {
  test('global importance: 1,000 sample customers explained through the data plane as REST batches, once per model', async () => {
    const { runtime, explainCalls } = countingRuntime();
    const { app, core } = await testApp({}, runtime);
    try {
      const answers = await Promise.all([1, 2].map(() => app.inject({ method: 'GET', url: '/console/importance' })));
      const again = await app.inject({ method: 'GET', url: '/console/importance' });
      for (const answer of [...answers, again]) assert.equal(answer.statusCode, 200, answer.body);
      const importance = again.json<GlobalImportance>();
      assert.deepEqual(answers.map((a) => a.json<GlobalImportance>()), [importance, importance]);
      assert.equal(importance.records, 1000);
      assert.equal(importance.invalid, 0);
      assert.deepEqual(importance.features.map((f) => f.feature).sort(), core.plane.schema.features.map((f) => f.name).sort());
      for (let i = 1; i < importance.features.length; i++) assert.ok(importance.features[i - 1]!.meanAbsolute >= importance.features[i]!.meanAbsolute);
      assert.ok(importance.features[0]!.meanAbsolute > 0);
      // Five batches of 200, for three requests: computed once.
      assert.equal(explainCalls(), 5);
      assert.equal(await metricValue(core, 'churn_inference_stage_seconds_count{model="churn",protocol="rest",stage="explain"}'), 5);
      assert.equal(await metricValue(core, 'churn_requests_total{protocol="rest",code="OK"}'), 3);
      assert.equal(await metricValue(core, 'churn_requests_in_flight{protocol="rest"}'), 0);
    } finally {
      await app.close();
    }
  });

  test('global importance keeps to MAX_BATCH_SIZE: smaller batches, the same answer', async () => {
    const { runtime, explainCalls } = countingRuntime();
    const small = await testApp({ MAX_BATCH_SIZE: '64' }, runtime);
    const large = await testApp();
    try {
      const [fromSmall, fromLarge] = await Promise.all([small, large].map(({ app }) => app.inject({ method: 'GET', url: '/console/importance' })));
      assert.equal(fromSmall!.statusCode, 200, fromSmall!.body);
      assert.equal(explainCalls(), Math.ceil(1000 / 64));
      const a = fromSmall!.json<GlobalImportance>();
      const b = fromLarge!.json<GlobalImportance>();
      assert.deepEqual(a.features.map((f) => f.feature), b.features.map((f) => f.feature));
      a.features.forEach((f, i) => assert.ok(Math.abs(f.meanAbsolute - b.features[i]!.meanAbsolute) < 1e-12, f.feature));
    } finally {
      await Promise.all([small.app.close(), large.app.close()]);
    }
  });

  test('a swapped-in model shows at once: its settings, its sample customers, its own importance', async () => {
    const first = countingRuntime();
    const { app, core } = await testApp({}, first.runtime);
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/console/importance' })).statusCode, 200);
      assert.equal(first.explainCalls(), 5);

      // A model trained on other data: six inputs of its own, none of them a column of the bundled data file.
      await swapIn(core, loadXGBoostRuntime(xgboostModel));
      const settings = (await app.inject({ method: 'GET', url: '/console/settings' })).json<{ scoresRecords: boolean; explains: boolean; schema: { features: { name: string }[] } }>();
      assert.deepEqual(settings.schema.features.map((f) => f.name), ['tenure', 'monthly_charges', 'total_charges', 'support_calls', 'contract_months', 'age']);
      assert.deepEqual([settings.scoresRecords, settings.explains], [true, true]);
      const sample = (await app.inject({ method: 'GET', url: '/console/sample-customer' })).json<{ record: Record<string, unknown>; synthetic: boolean }>();
      assert.equal(sample.synthetic, true);
      assert.deepEqual(Object.keys(sample.record), settings.schema.features.map((f) => f.name));
      const none = await app.inject({ method: 'GET', url: '/console/importance' });
      assert.equal(none.statusCode, 404);
      assert.equal(errorOf(none.body).code, 'NOT_FOUND');

      // The bundled model again, in a new data plane: computed anew for it.
      const second = countingRuntime();
      await swapIn(core, second.runtime);
      const sampled = (await app.inject({ method: 'GET', url: '/console/sample-customer' })).json<{ record: Record<string, unknown>; synthetic: boolean }>();
      assert.equal(sampled.synthetic, false);
      assert.equal(typeof sampled.record['customerID'], 'string');
      assert.ok(!('Churn' in sampled.record), 'the label column is not the console\'s to show');
      assert.equal((await app.inject({ method: 'GET', url: '/console/importance' })).statusCode, 200);
      assert.equal(second.explainCalls(), 5);
      assert.equal(first.explainCalls(), 5);
    } finally {
      await app.close();
    }
  });

  test('a model that cannot explain has no global importance (404), and its settings say so', async () => {
    const native = new NativeRuntime(bundledModel());
    const unexplained: ModelRuntime = { description: native.description, encoder: native.encoder, predict: (rows) => native.predict(rows), close: () => native.close() };
    const { app } = await testApp({}, unexplained);
    try {
      const settings = (await app.inject({ method: 'GET', url: '/console/settings' })).json<{ explains: boolean }>();
      assert.equal(settings.explains, false);
      const answer = await app.inject({ method: 'GET', url: '/console/importance' });
      assert.equal(answer.statusCode, 404);
      assert.equal(errorOf(answer.body).code, 'NOT_FOUND');
    } finally {
      await app.close();
    }
  });

  test('without the data file (the image ships none), samples are synthetic and there is no importance (404)', async () => {
    const plane = new DataPlane(new NativeRuntime(bundledModel()), { maxBatchSize: 1000 });
    plane.warmUp();
    const samples = new ConsoleSamples(plane, join(packageRoot, 'data', 'no-such-file.csv'));
    const sample = samples.customer();
    assert.equal(sample.synthetic, true);
    assert.equal(plane.predict(sample.record, {}, 'rest') instanceof Promise, false, 'the synthetic customer scores');
    await assert.rejects(samples.globalImportance(), (error: unknown) => {
      assert.ok(error instanceof ChurnError);
      assert.equal(error.code, 'NOT_FOUND');
      return true;
    });
  });
});
