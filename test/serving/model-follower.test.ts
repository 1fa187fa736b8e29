import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { ChurnError } from '../../src/errors.js';
import type { ModelRuntime } from '../../src/runtimes/model-runtime.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { DataPlane } from '../../src/serving/data-plane.js';
import { ServingMetrics } from '../../src/serving/metrics/serving-metrics.js';
import { ModelFollower } from '../../src/serving/model-follower.js';
import { ServingCore } from '../../src/serving/serving-core.js';
import { dataRecords } from '../helpers/fixtures.js';
import { bundledModel } from '../server/app-harness.js';

/** The bundled model as an asynchronous runtime (as ONNX is) whose answers take `delayMs`, and which records its closing. */
function slowRuntime(version: string, delayMs: number): ModelRuntime & { closed: boolean; inFlight: number } {
  const native = new NativeRuntime(bundledModel());
  const runtime = {
    description: { ...native.description, version },
    encoder: native.encoder,
    closed: false,
    inFlight: 0,
    predict: async (rows: Parameters<ModelRuntime['predict']>[0]) => {
      if (runtime.closed) throw new Error('predict on a closed runtime');
      runtime.inFlight++;
      await sleep(delayMs);
      runtime.inFlight--;
      return native.predict(rows);
    },
    close: async () => { runtime.closed = true; },
  };
  return runtime;
}

async function plane(runtime: ModelRuntime, metrics: ServingMetrics): Promise<DataPlane> {
  const p = new DataPlane(runtime, { maxBatchSize: 1000, metrics, provenance: { kind: 'mlflow', source: 'models:/churn@live', mlflow: { trackingUri: 'http://mlflow', registeredModel: 'churn', alias: 'live', version: runtime.description.version, artifactUri: 'mlflow-artifacts:/x' } } });
  await p.warmUp();
  return p;
}

const quiet = { info: () => undefined, warn: () => undefined };

describe('ModelFollower: following an alias swaps models without failing a request', () => {
  test('a moved alias loads the new version beside the old, swaps it in, and closes the old one after its last request', async () => {
    const metrics = new ServingMetrics();
    const v1 = slowRuntime('1', 30);
    const core = new ServingCore(await plane(v1, metrics), { apiKeys: [], metrics });
    let alias = '1';
    const v2 = slowRuntime('2', 0);
    const follower = new ModelFollower(core, {
      intervalMs: 60_000, currentVersion: async () => alias, versionOf: (p) => p.version, open: () => plane(v2, metrics), log: quiet,
    });
    assert.equal(await follower.poll(), 'unchanged');
    const record = dataRecords()[0];
    // A request under way on version 1 when the alias moves.
    const running = core.plane.predict(record, {}, 'rest');
    assert.ok(running instanceof Promise);
    alias = '2';
    assert.equal(await follower.poll(), 'swapped');
    assert.equal(core.plane.version, '2');
    assert.equal(core.ready, true);
    assert.equal(v1.closed, false, 'the old runtime stays open while a request waits on it');
    assert.equal((await running).modelVersion, '1');
    await sleep(5);
    assert.equal(v1.closed, true, 'then it is closed');
    const after = await core.plane.predict(record, {}, 'rest');
    assert.equal(after.modelVersion, '2');
    const text = await metrics.registry.metrics();
    assert.match(text, /^churn_model_refresh_total\{outcome="swapped"\} 1$/m);
    assert.match(text, /^churn_model_info\{name="churn",version="2",source="mlflow",registered_model="churn",alias="live",run_id=""\} 1$/m);
  });

  test('a version that fails to load keeps the served model, and says so in the log and the metric', async () => {
    const metrics = new ServingMetrics();
    const core = new ServingCore(await plane(slowRuntime('1', 0), metrics), { apiKeys: [], metrics });
    const warnings: string[] = [];
    const follower = new ModelFollower(core, {
      intervalMs: 60_000, currentVersion: async () => '3', versionOf: (p) => p.version,
      open: async () => { throw new ChurnError('ARTIFACT_NOT_FOUND', 'the model\'s files are missing'); },
      log: { info: () => undefined, warn: (fields, message) => warnings.push(`${message} ${JSON.stringify(fields)}`) },
    });
    assert.equal(await follower.poll(), 'failed');
    assert.equal(core.plane.version, '1');
    assert.equal(core.ready, true);
    assert.match(warnings[0] ?? '', /model refresh failed.*"to":"3".*ARTIFACT_NOT_FOUND/);
    const unreachable = new ModelFollower(core, {
      intervalMs: 60_000, currentVersion: async () => { throw new ChurnError('MODEL_FETCH_FAILED', 'cannot reach the MLflow tracking server'); },
      versionOf: (p) => p.version, open: () => assert.fail('nothing to open'), log: quiet,
    });
    assert.equal(await unreachable.poll(), 'poll_failed');
    const text = await metrics.registry.metrics();
    assert.match(text, /^churn_model_refresh_total\{outcome="failed"\} 1$/m);
    assert.match(text, /^churn_model_refresh_total\{outcome="poll_failed"\} 1$/m);
  });

  test('a refresh that finishes after stop() (shutdown) swaps nothing and closes what it loaded', async () => {
    const metrics = new ServingMetrics();
    const core = new ServingCore(await plane(slowRuntime('1', 0), metrics), { apiKeys: [], metrics });
    const v2 = slowRuntime('2', 0);
    let release: () => void = () => undefined;
    const follower = new ModelFollower(core, {
      intervalMs: 60_000, currentVersion: async () => '2', versionOf: (p) => p.version,
      open: async () => { await new Promise<void>((resolve) => { release = resolve; }); return plane(v2, metrics); },
      log: quiet,
    });
    const polled = follower.poll();
    await sleep(5);
    const stopped = follower.stop();
    release();
    await stopped;
    assert.equal(await polled, 'unchanged');
    assert.equal(core.plane.version, '1');
    assert.equal(v2.closed, true);
  });
});
