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
import { startGrpcServer } from '../../src/server/grpc/grpc-server.js';
import { dataRecords } from '../helpers/fixtures.js';
import { bundledModel, testConfig } from './app-harness.js';
import { inferenceClient, type GrpcAnswer, type InferenceClient } from './grpc/grpc-client.js';

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
  mlflow: {
    label: 'mlflow',
    request: { method: 'POST' as const, url: '/invocations', payload: { dataframe_records: [record] } },
    // MLflow's fields (error_code, message) beside the one error body.
    errorOf: (body: string) => {
      const parsed = JSON.parse(body) as { error_code: unknown; message: unknown; error: { code: string } };
      assert.equal(typeof parsed.error_code, 'string');
      assert.equal(parsed.message, (parsed.error as unknown as { message: string }).message);
      return parsed.error.code;
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

/**
 * gRPC (inference.GRPCInferenceService) asked the same questions through a real gRPC client: the same core admits
 * and counts its calls, and the catalogue's `grpc` column gives the status (with the standard error details).
 */
describe('every protocol from one place: grpc', () => {
  const infer = { model_name: 'churn', inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], parameters: { content_type: { string_param: 'json' } }, contents: { bytes_contents: [Buffer.from(JSON.stringify(record))] } }] };

  async function grpcRig(runtime?: ModelRuntime, env: Record<string, string> = {}): Promise<Rig & { client: InferenceClient; stop: () => Promise<void> }> {
    const base = await rig(runtime, env);
    const grpc = await startGrpcServer({ ...testConfig(env), host: '127.0.0.1', grpcPort: 0 }, base.core, base.app.log.child({ transport: 'grpc' }));
    const client = inferenceClient(grpc.port);
    return { ...base, client, stop: async () => { client.close(); await grpc.closeRemaining(); await base.app.close(); } };
  }
  const ok = (answer: GrpcAnswer) => assert.equal(answer.code, 'OK', answer.message);

  test('needs the API key when keys are set: UNAUTHENTICATED (ErrorInfo UNAUTHORIZED), served with authorization: Bearer <key>', async () => {
    const { client, stop } = await grpcRig(undefined, { API_KEYS: KEY });
    try {
      const refused = await client.call('ModelInfer', infer);
      assert.equal(refused.code, 'UNAUTHENTICATED');
      assert.equal(refused.errorInfo?.reason, 'UNAUTHORIZED');
      ok(await client.call('ModelInfer', infer, { metadata: { authorization: `Bearer ${KEY}` } }));
    } finally {
      await stop();
    }
  });

  test('is served through the drain (readiness and gRPC health turn false, calls are answered)', async () => {
    const { core, client, stop } = await grpcRig();
    try {
      const watching = client.watch('', (status) => status === 'NOT_SERVING');
      core.state.beginDrain();
      assert.equal(core.ready, false);
      ok(await client.call('ModelInfer', infer));
      assert.deepEqual(await watching, ['SERVING', 'NOT_SERVING']);
      assert.equal((await client.health('')).response?.['status'], 'NOT_SERVING');
      assert.equal((await client.health('liveness')).response?.['status'], 'SERVING');
      assert.equal((await client.call('ServerReady', {})).response?.['ready'], false);
    } finally {
      await stop();
    }
  });

  test('a call cancelled while it waits in the run queue (its deadline passed) is not scored', async () => {
    const { core, client, stop } = await grpcRig();
    try {
      const scored = async () => Number(/^churn_inference_stage_seconds_count\{[^}]*protocol="grpc",stage="score"\} (\d+)$/m.exec(await core.metrics.registry.metrics())?.[1]);
      ok(await client.call('ModelInfer', infer));
      const before = await scored();
      // 400 ms of work ahead of the call, in 10 ms calls (one per turn of the loop once the first has run).
      for (let i = 0; i < 40; i++) core.run(() => { const until = performance.now() + 10; while (performance.now() < until) { /* busy */ } }, () => undefined);
      const late = await client.call('ModelInfer', infer, { deadline: 100 });
      assert.equal(late.code, 'DEADLINE_EXCEEDED');
      while (core.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(await scored(), before, 'the cancelled call was not scored');
      const metrics = await core.metrics.registry.metrics();
      assert.match(metrics, /^churn_requests_total\{protocol="grpc",code="ABORTED"\} 1$/m);
      assert.match(metrics, /^churn_requests_in_flight\{protocol="grpc"\} 0$/m);
    } finally {
      await stop();
    }
  });

  test('is shed while overloaded: UNAVAILABLE with RetryInfo and grpc-retry-pushback-ms, before the message is decoded; then served again', async () => {
    const { overload, core, client, stop } = await grpcRig();
    try {
      overload.overloaded = true;
      // Bytes that are no ModelInferRequest: shedding answers before anything is decoded.
      const shed = await client.call('ModelInfer', Buffer.from([0x3a, 0x10, 0x01]));
      assert.equal(shed.code, 'UNAVAILABLE');
      assert.equal(shed.errorInfo?.reason, 'OVERLOADED');
      assert.ok(shed.retryDelaySeconds! > 0);
      assert.equal(shed.pushbackMs, shed.retryDelaySeconds! * 1000);
      assert.equal(core.ready, false);
      overload.overloaded = false;
      ok(await client.call('ModelInfer', infer));
      const metrics = await core.metrics.registry.metrics();
      assert.match(metrics, /^churn_requests_total\{protocol="grpc",code="OVERLOADED"\} 1$/m);
      assert.match(metrics, /^churn_requests_total\{protocol="grpc",code="OK"\} 1$/m);
      assert.match(metrics, /^churn_requests_in_flight\{protocol="grpc"\} 0$/m);
    } finally {
      await stop();
    }
  });

  test('an unexpected error is INTERNAL without internals, and logged once with the request id', async () => {
    const native = new NativeRuntime(bundledModel());
    let broken = false;
    const faulty: ModelRuntime = {
      description: native.description,
      encoder: native.encoder,
      predict: (rows) => {
        if (broken) throw new Error('secret internals at /var/lib/model');
        return native.predict(rows);
      },
      close: () => native.close(),
    };
    const { client, logs, stop } = await grpcRig(faulty);
    try {
      broken = true;
      const answer = await client.call('ModelInfer', infer, { metadata: { 'x-request-id': 'boom-grpc' } });
      assert.equal(answer.code, 'INTERNAL');
      assert.ok(!answer.message.includes('secret internals'));
      assert.equal(answer.errorInfo?.reason, 'INTERNAL');
      assert.equal(answer.errorInfo?.metadata['requestId'], 'boom-grpc');
      const logged = logs.filter((line) => line['msg'] === 'unhandled error' && line['requestId'] === 'boom-grpc');
      assert.equal(logged.length, 1, JSON.stringify(logs.slice(-3)));
      assert.match(JSON.stringify(logged[0]!['err']), /secret internals/);
    } finally {
      await stop();
    }
  });

  test('a model that is not warmed up yet: UNAVAILABLE (NOT_READY) with retry info; health NOT_SERVING', async () => {
    const config = testConfig({ LOG_LEVEL: 'silent' });
    const metrics = new ServingMetrics();
    const core = new ServingCore(new DataPlane(new NativeRuntime(bundledModel()), { maxBatchSize: 10, metrics }), { apiKeys: [], metrics });
    const app = buildApp(config, core);
    const grpc = await startGrpcServer({ ...config, host: '127.0.0.1', grpcPort: 0 }, core, app.log);
    const client = inferenceClient(grpc.port);
    try {
      const answer = await client.call('ModelInfer', infer);
      assert.equal(answer.code, 'UNAVAILABLE');
      assert.equal(answer.errorInfo?.reason, 'NOT_READY');
      assert.ok(answer.retryDelaySeconds! > 0);
      assert.equal((await client.health()).response?.['status'], 'NOT_SERVING');
    } finally {
      client.close();
      await grpc.closeRemaining();
      await app.close();
    }
  });
});
