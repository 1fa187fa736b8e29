/**
 * The gRPC endpoint of `churn-predictor serve` (child process) through start-up and the SIGTERM drain, as a pod
 * lives through a rolling update: health turns NOT_SERVING at once, calls are served through the drain, a call
 * still arriving when the drain ends is finished, then new calls are refused and the process exits 0.
 */
import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session } from 'node:http2';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inferenceProtos } from '../../../src/server/grpc/protocol-buffers.js';
import { freePort } from '../../../src/foundation/free-port.js';
import { validRecord } from '../../helpers/fixtures.js';
import { runFailingServer, startChildServer } from '../child-server.js';
import { inferenceClient } from './grpc-client.js';

const request = {
  model_name: 'churn',
  inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], parameters: { content_type: { string_param: 'json' } }, contents: { bytes_contents: [Buffer.from(JSON.stringify(validRecord()))] } }],
};

/** A ModelInfer call over raw HTTP/2 whose message is held back halfway: in flight until `finish`. */
function heldCall(session: ClientHttp2Session): { finish: () => void; status: Promise<string | undefined> } {
  const message = Buffer.from(inferenceProtos.lookupType('inference.ModelInferRequest').encode(request).finish());
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), message]);
  frame.writeUInt32BE(message.length, 1);
  const stream = session.request({ ':method': 'POST', ':path': '/inference.GRPCInferenceService/ModelInfer', 'content-type': 'application/grpc', te: 'trailers' });
  stream.write(frame.subarray(0, 20));
  stream.resume();
  const status = new Promise<string | undefined>((resolve, reject) => {
    stream.on('trailers', (trailers) => resolve(String(trailers['grpc-status'])));
    stream.on('error', reject);
    stream.on('close', () => resolve(undefined));
  });
  return { finish: () => stream.end(frame.subarray(20)), status };
}

describe('the gRPC endpoint of `churn-predictor serve` (child process)', { timeout: 60_000 }, () => {
  test('listens on GRPC_PORT, says so in the listening line, and serves beside HTTP; GRPC_PORT=0 has no gRPC', async () => {
    const grpcPort = await freePort();
    const server = await startChildServer({ GRPC_PORT: String(grpcPort) });
    const client = inferenceClient(grpcPort);
    try {
      const listening = server.logs.find((l) => l['msg'] === 'listening')!;
      assert.equal(listening['grpcPort'], grpcPort);
      assert.ok(server.logs.some((l) => l['msg'] === 'grpc listening' && l['port'] === grpcPort));
      assert.equal((await client.call('ModelInfer', request)).code, 'OK');
      assert.equal((await client.health()).response?.['status'], 'SERVING');
      // One log line per call (stdout is buffered: give it a moment).
      const logged = () => server.logs.filter((l) => l['msg'] === 'grpc call' && l['method'] === 'ModelInfer' && l['code'] === 'OK' && typeof l['requestId'] === 'string');
      for (let i = 0; i < 40 && logged().length === 0; i++) await sleep(50);
      assert.equal(logged().length, 1);
    } finally {
      client.close();
      server.kill();
    }
    const without = await startChildServer({ GRPC_PORT: '0' });
    try {
      assert.equal(without.logs.find((l) => l['msg'] === 'listening')!['grpcPort'], undefined);
    } finally {
      without.kill();
    }
  });

  test('SIGTERM: health NOT_SERVING at once, calls served through the drain, a held call finished after it, new calls refused, exit 0', async () => {
    const grpcPort = await freePort();
    const drainSeconds = 1.5;
    const server = await startChildServer({ GRPC_PORT: String(grpcPort), SHUTDOWN_DRAIN_SECONDS: String(drainSeconds), REQUEST_TIMEOUT_MS: '20000' });
    const client = inferenceClient(grpcPort);
    const session = connect(`http://127.0.0.1:${grpcPort}`);
    session.on('error', () => undefined);
    try {
      assert.equal((await client.health()).response?.['status'], 'SERVING');
      const held = heldCall(session);
      await sleep(200);
      const signalledAt = performance.now();
      server.child.kill('SIGTERM');
      let health: string | undefined;
      for (let i = 0; i < 40 && health !== 'NOT_SERVING'; i++) {
        health = (await client.health()).response?.['status'] as string | undefined;
        if (health !== 'NOT_SERVING') await sleep(25);
      }
      assert.equal(health, 'NOT_SERVING');
      assert.ok(performance.now() - signalledAt < 1000, 'health flips at once');
      assert.equal((await client.health('liveness')).response?.['status'], 'SERVING');
      assert.equal((await client.call('ModelInfer', request)).code, 'OK', 'served during the drain');
      assert.ok(performance.now() - signalledAt < drainSeconds * 1000, 'still within the drain window');

      await sleep(drainSeconds * 1000 + 500 - (performance.now() - signalledAt));
      assert.equal(server.child.exitCode, null, `waits for the held call: ${JSON.stringify(server.logs.slice(-4))}`);
      const fresh = inferenceClient(grpcPort);
      try {
        assert.equal((await fresh.call('ModelInfer', request, { deadline: 2000 })).code, 'UNAVAILABLE', 'new calls are refused after the drain');
      } finally {
        fresh.close();
      }
      held.finish();
      assert.equal(await held.status, '0', 'the held call completes OK');
      assert.equal(await server.exited, 0);
      assert.ok(server.logs.some((l) => l['msg'] === 'stopped'));
    } finally {
      client.close();
      session.destroy();
      server.kill();
    }
  });

  test('a GRPC_PORT in use stops start-up naming GRPC_PORT', async () => {
    const grpcPort = await freePort();
    const server = await startChildServer({ GRPC_PORT: String(grpcPort) });
    try {
      const { code, stderr } = await runFailingServer({ GRPC_PORT: String(grpcPort) });
      assert.equal(code, 1);
      assert.match(stderr, /INVALID_CONFIG: GRPC_PORT/);
    } finally {
      server.kill();
    }
  });
});
