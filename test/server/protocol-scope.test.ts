/**
 * What every data-plane protocol gets from the one place (the serving core and its HTTP protocol scope), asked of
 * each protocol the same way: credentials, serving through the drain, shedding, the error catalogue in the
 * protocol's own shape, INTERNAL logged with the request id, and requests counted by protocol.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { ModelRuntime } from '../../src/runtimes/model-runtime.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { buildApp } from '../../src/server/app.js';
import { DataPlane } from '../../src/serving/data-plane.js';
import { ServingMetrics } from '../../src/serving/metrics/serving-metrics.js';
import type { OverloadSignal } from '../../src/serving/overload-monitor.js';
import { ServingCore } from '../../src/serving/serving-core.js';
import { dataRecords } from '../helpers/fixtures.js';
import { bundledModel, testConfig } from './app-harness.js';

const KEY = 'protocol-scope-key-0123456789';
const record = dataRecords()[0]!;

/** One request of each protocol that scores `record`, and how to read that protocol's error. */
const protocols = {
  rest: {
    label: 'rest',
    request: { method: 'POST' as const, url: '/predict', payload: record },
    /** The catalogue code, from REST's error body. */
    errorOf: (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code,
  },
  v2: {
    label: 'v2',
    request: {
      method: 'POST' as const,
      url: '/v2/models/churn/infer',
      payload: { inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], parameters: { content_type: 'json' }, data: [JSON.stringify(record)] }] },
    },
    // V2 errors are {"error": "<message>"}: the status carries the catalogue's, not the code.
    errorOf: (body: string) => {
      const parsed = JSON.parse(body) as { error: unknown };
      assert.deepEqual(Object.keys(parsed), ['error']);
      assert.equal(typeof parsed.error, 'string');
      return undefined;
    },
  },
  // The console's data calls are REST calls: the same admission, counts and errors as /predict. Global
  // importance scores and explains sample customers through the data plane.
  console: {
    label: 'rest',
    request: { method: 'GET' as const, url: '/console/importance' },
    errorOf: (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code,
  },
} as const;

interface Rig {
  app: FastifyInstance;
  core: ServingCore;
  logs: Record<string, unknown>[];
  overload: { overloaded: boolean; delayMs: number };
}

async function rig(runtime: ModelRuntime = new NativeRuntime(bundledModel()), env: Record<string, string> = {}): Promise<Rig> {
  const config = testConfig({ LOG_LEVEL: 'info', ...env });
  const metrics = new ServingMetrics();
  const plane = new DataPlane(runtime, { maxBatchSize: config.maxBatchSize, metrics });
  await plane.warmUp();
  const overload = { overloaded: false, delayMs: 0 };
  const core = new ServingCore(plane, { apiKeys: config.apiKeys, metrics, overload: overload satisfies OverloadSignal });
  const logs: Record<string, unknown>[] = [];
  const app = buildApp(config, core, { logStream: { write: (line) => { logs.push(JSON.parse(line) as Record<string, unknown>); } } });
  await app.ready();
  return { app, core, logs, overload };
}

for (const [name, protocol] of Object.entries(protocols)) {
  describe(`every protocol from one place: ${name}`, () => {
    test('needs the API key when keys are set: 401 with the Bearer challenge', async () => {
      const { app } = await rig(undefined, { API_KEYS: KEY });
      try {
        const refused = await app.inject(protocol.request);
        assert.equal(refused.statusCode, 401);
        assert.match(String(refused.headers['www-authenticate']), /^Bearer /);
        const served = await app.inject({ ...protocol.request, headers: { authorization: `Bearer ${KEY}` } });
        assert.equal(served.statusCode, 200, served.body);
      } finally {
        await app.close();
      }
    });

    test('is served through the drain (readiness turns false, requests are answered with Connection: close)', async () => {
      const { app, core } = await rig();
      try {
        core.state.beginDrain();
        assert.equal(core.ready, false);
        assert.equal(core.serving, true);
        const served = await app.inject(protocol.request);
        assert.equal(served.statusCode, 200, served.body);
        assert.equal(served.headers['connection'], 'close');
      } finally {
        await app.close();
      }
    });

    test('is shed while overloaded: 503 with Retry-After, before the body is decoded; then served again', async () => {
      const { app, overload, core } = await rig();
      try {
        overload.overloaded = true;
        const shed = await app.inject(protocol.request);
        assert.equal(shed.statusCode, 503);
        assert.ok(Number(shed.headers['retry-after']) > 0);
        assert.equal(core.ready, false);
        overload.overloaded = false;
        assert.equal((await app.inject(protocol.request)).statusCode, 200);
        const metrics = await core.metrics.registry.metrics();
        assert.match(metrics, new RegExp(`^churn_requests_total\\{protocol="${protocol.label}",code="OVERLOADED"\\} 1$`, 'm'));
        assert.match(metrics, new RegExp(`^churn_requests_total\\{protocol="${protocol.label}",code="OK"\\} 1$`, 'm'));
        assert.match(metrics, new RegExp(`^churn_requests_in_flight\\{protocol="${protocol.label}"\\} 0$`, 'm'));
      } finally {
        await app.close();
      }
    });

    test('an unexpected error is 500 in the protocol\'s shape, without internals, and logged once with the request id', async () => {
      const native = new NativeRuntime(bundledModel());
      let broken = false;
      // A runtime that fails after warm-up, as a model bug would.
      const faulty: ModelRuntime = {
        description: native.description,
        encoder: native.encoder,
        predict: (rows) => {
          if (broken) throw new Error('secret internals at /var/lib/model');
          return native.predict(rows);
        },
        explain: (rows) => native.explain(rows),
        close: () => native.close(),
      };
      const { app, logs } = await rig(faulty);
      try {
        broken = true;
        const response = await app.inject({ ...protocol.request, headers: { 'x-request-id': `boom-${name}` } });
        assert.equal(response.statusCode, 500);
        assert.ok(!response.body.includes('secret internals'));
        assert.ok([undefined, 'INTERNAL'].includes(protocol.errorOf(response.body)));
        const logged = logs.filter((line) => line['msg'] === 'unhandled error' && line['requestId'] === `boom-${name}`);
        assert.equal(logged.length, 1, JSON.stringify(logs.slice(-3)));
        assert.match(JSON.stringify(logged[0]!['err']), /secret internals/);
      } finally {
        await app.close();
      }
    });
  });
}
