import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { temporaryDirectory, validRecord } from '../helpers/fixtures.js';
import { runFailingServer, startChildServer } from './child-server.js';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** One request on a fresh connection (no keep-alive pool), so "new connection" means what it says. */
function fresh(port: number, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; }).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A request whose body is held back: in flight from the server's point of view until `finish` is called. */
function slowRequest(port: number, body: string): { socket: Socket; finish: () => void; answer: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const split = Math.floor(body.length / 2);
  socket.write(`POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, split)}`);
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => { received += chunk; });
  const answer = new Promise<string>((resolve, reject) => {
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
  return { socket, finish: () => socket.write(body.slice(split)), answer };
}

describe('lifecycle of `churn-predictor serve` (child process)', { timeout: 60_000 }, () => {
  test('starts with the bundled model, logs the load and its address, and reports ready', async () => {
    const started = performance.now();
    const server = await startChildServer({});
    try {
      const wallMs = performance.now() - started;
      const loaded = server.logs.find((l) => l['msg'] === 'model loaded and verified');
      assert.ok(loaded, 'a model load line');
      assert.equal(loaded['version'], '1.0.0');
      assert.equal(typeof loaded['loadMs'], 'number');
      const listening = server.logs.find((l) => l['msg'] === 'listening')!;
      assert.equal(listening['codeCache'], 'accepted', 'compiled from the code cache `npm run build` wrote');
      // Diagnostic, not a timed assertion (the machine is shared): the figure is reported by the benchmark notes.
      process.stdout.write(`# start-up: ${wallMs} ms from spawn to listening; server-side ${String(listening['startupMs'])} ms\n`);
      assert.equal((await fresh(server.port, 'GET', '/readyz')).status, 200);
      const predicted = await fresh(server.port, 'POST', '/predict', JSON.stringify(validRecord()));
      assert.equal(predicted.status, 200);
    } finally {
      server.kill();
    }
  });

  test('SIGTERM: readiness flips at once, work is served during the drain, then new connections are refused, in-flight requests complete, exit 0', async () => {
    const drainSeconds = 1.5;
    const server = await startChildServer({ SHUTDOWN_DRAIN_SECONDS: String(drainSeconds), REQUEST_TIMEOUT_MS: '20000' });
    try {
      const { port } = server;
      const body = JSON.stringify(validRecord());
      const slow = [slowRequest(port, body), slowRequest(port, body)];
      // A keep-alive connection that has been used and is now idle, as a client pool holds one, and a
      // connection that never sends a request (which Node does not count as idle).
      const idle = connect(port, '127.0.0.1');
      idle.on('error', () => undefined);
      const idleAnswered = new Promise<void>((resolve) => idle.once('data', () => resolve()));
      const idleClosed = new Promise<void>((resolve) => idle.on('close', () => resolve()));
      idle.write('GET /livez HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n');
      await idleAnswered;
      const silent = connect(port, '127.0.0.1');
      silent.on('error', () => undefined);
      const silentClosed = new Promise<void>((resolve) => silent.on('close', () => resolve()));
      await new Promise<void>((resolve) => silent.once('connect', () => resolve()));

      const signalledAt = performance.now();
      server.child.kill('SIGTERM');
      let readiness: Answer | undefined;
      for (let i = 0; i < 20; i++) {
        readiness = await fresh(port, 'GET', '/readyz');
        if (readiness.status === 503) break;
        await sleep(25);
      }
      assert.equal(readiness?.status, 503, 'readiness turns 503 after SIGTERM');
      assert.equal(JSON.parse(readiness.body).error.code, 'DRAINING');
      assert.ok(performance.now() - signalledAt < 1000, 'readiness flips at once');
      assert.equal((await fresh(port, 'GET', '/livez')).status, 200, 'liveness stays up while draining');

      const during = await fresh(port, 'POST', '/predict', body);
      assert.ok(performance.now() - signalledAt < drainSeconds * 1000, 'still within the drain window');
      assert.equal(during.status, 200, 'new connections are still served during the drain');
      assert.equal(during.headers['connection'], 'close');

      // After the drain window: new connections are refused.
      let refusedAt: number | undefined;
      while (refusedAt === undefined && performance.now() - signalledAt < drainSeconds * 1000 + 5000) {
        try {
          await fresh(port, 'GET', '/livez');
          await sleep(50);
        } catch (error) {
          // RESET: a connection the kernel queued just before the listening socket closed.
          assert.match(String((error as NodeJS.ErrnoException).code), /^(ECONNREFUSED|ECONNRESET)$/);
          refusedAt = performance.now();
        }
      }
      assert.ok(refusedAt !== undefined, 'new connections are refused after the drain');
      assert.ok(refusedAt - signalledAt >= drainSeconds * 1000 - 50, `refused only after the drain (${refusedAt - signalledAt} ms)`);
      await idleClosed;
      assert.equal(server.child.exitCode, null, `the process waits for its in-flight requests: ${JSON.stringify(server.logs.slice(-4))}`);
      await sleep(300);
      assert.equal(server.child.exitCode, null, `the process still waits for its in-flight requests: ${JSON.stringify(server.logs.slice(-6))}`);

      for (const request of slow) request.finish();
      for (const request of slow) {
        const raw = await request.answer;
        assert.match(raw, /^HTTP\/1\.1 200 /, raw.slice(0, 200));
        assert.match(raw, /\r\nconnection: close\r\n/i);
        assert.ok(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).churnProbability >= 0);
      }
      await silentClosed;
      assert.equal(await server.exited, 0);
      assert.ok(performance.now() - signalledAt < 10_000, 'exits well within a 30 s grace period');
      const messages = server.logs.map((l) => l['msg']);
      assert.ok(messages.includes('stopped'), JSON.stringify(messages));
    } finally {
      server.kill();
    }
  });

  test('a second signal exits at once', async () => {
    const server = await startChildServer({ SHUTDOWN_DRAIN_SECONDS: '60' });
    try {
      server.child.kill('SIGTERM');
      await server.logged('draining');
      const at = performance.now();
      server.child.kill('SIGINT');
      assert.equal(await server.exited, 130);
      assert.ok(performance.now() - at < 3000);
    } finally {
      server.kill();
    }
  });

  test('with no drain and nothing in flight, SIGTERM exits 0 promptly', async () => {
    const server = await startChildServer({ SHUTDOWN_DRAIN_SECONDS: '0' });
    try {
      const at = performance.now();
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
      assert.ok(performance.now() - at < 3000);
    } finally {
      server.kill();
    }
  });

  test('an invalid variable stops start-up: one line naming it, exit code 1, no secret echoed', async () => {
    for (const [name, value] of [['PORT', 'eighty'], ['LOG_LEVEL', 'chatty'], ['MODEL_PATH', '/nonexistent/model'], ['API_KEYS', 'tiny-secret']] as const) {
      const { code, stderr } = await runFailingServer({ [name]: value });
      assert.equal(code, 1, `${name}: ${stderr}`);
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0]!, new RegExp(`INVALID_CONFIG: ${name} `));
      if (name === 'API_KEYS') assert.ok(!stderr.includes(value));
    }
  });

  test('a corrupt model stops start-up with its artifact error and exit code 1', async () => {
    const directory = join(temporaryDirectory(), 'model');
    cpSync(bundledModelDirectory, directory, { recursive: true });
    writeFileSync(join(directory, 'model.json'), '{"truncated": ');
    const { code, stderr } = await runFailingServer({ MODEL_PATH: directory });
    assert.equal(code, 1);
    // Shorter than the manifest records: truncated, which the size check says before any checksum.
    assert.match(stderr, /^error ARTIFACT_CORRUPT: /);
  });

  test('a port in use stops start-up naming PORT', async () => {
    const server = await startChildServer({});
    try {
      const { code, stderr } = await runFailingServer({ PORT: String(server.port) });
      assert.equal(code, 1);
      assert.match(stderr, /INVALID_CONFIG: PORT/);
    } finally {
      server.kill();
    }
  });
});
