import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { validRecord } from '../helpers/fixtures.js';
import { errorOf, testApp, type TestApp } from './app-harness.js';

/** Sends raw HTTP on a fresh socket and reads until the server closes it or `until` matches what arrived. */
async function exchange(port: number, parts: readonly string[], until: RegExp = /$^/): Promise<string> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  let received = '';
  const done = new Promise<string>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (until.test(received)) resolve(received);
    });
    socket.on('close', () => resolve(received));
  });
  for (const part of parts) {
    socket.write(part);
    await sleep(5);
  }
  const answer = await Promise.race([done, sleep(5000).then(() => received)]);
  socket.destroy();
  return answer;
}

const metricValue = (text: string, series: RegExp): number => Number(series.exec(text)?.[1] ?? Number.NaN);

/**
 * POST /predict is served ahead of Fastify's router (front-door.ts): these check, over real sockets, what the
 * injected requests of the other tests cannot reach — bodies cut off or streamed past the limit, and the counts
 * those leave behind.
 */
describe('POST /predict outside Fastify, over real sockets', () => {
  let t: TestApp;
  let origin: string;
  let port: number;
  before(async () => {
    t = await testApp({ BODY_LIMIT_BYTES: '4096' });
    origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(origin).port);
  });
  after(async () => { await t.app.close(); });

  test('answers as the injected route does: status, JSON, request id, keep-alive', async () => {
    const response = await fetch(`${origin}/predict?explain=false`, { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8', 'x-request-id': 'socket-1' }, body: JSON.stringify(validRecord()) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(response.headers.get('x-request-id'), 'socket-1');
    const body = await response.json() as Record<string, unknown>;
    assert.equal(typeof body['churnProbability'], 'number');
    const injected = await t.app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: validRecord() });
    assert.deepEqual(Object.keys(body).sort(), Object.keys(injected.json() as object).sort());
  });

  test('a repeated or unknown explain value is 400 BAD_REQUEST; other paths and methods are Fastify\'s 404', async () => {
    for (const query of ['explain=true&explain=false', 'explain=yes']) {
      const response = await fetch(`${origin}/predict?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(validRecord()) });
      assert.equal(response.status, 400, query);
      assert.equal(errorOf(await response.text()).code, 'BAD_REQUEST');
    }
    for (const [method, path] of [['GET', '/predict'], ['POST', '/predict/'], ['POST', '/predictx']] as const) {
      const response = await fetch(`${origin}${path}`, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(errorOf(await response.text()).code, 'NOT_FOUND');
    }
  });

  test('a chunked body that grows past BODY_LIMIT_BYTES is 413 PAYLOAD_TOO_LARGE, and counted', async () => {
    const chunk = `${'x'.repeat(3000)}`;
    const frame = (text: string): string => `${text.length.toString(16)}\r\n${text}\r\n`;
    const answer = await exchange(port, [
      'POST /predict HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n',
      frame(`{"a":"${chunk}`), frame(`${chunk}"}`), '0\r\n\r\n',
    ], /PAYLOAD_TOO_LARGE[^]*\}\}/);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /"code":"PAYLOAD_TOO_LARGE"/);
    const metrics = await (await fetch(`${origin}/metrics`)).text();
    assert.equal(metricValue(metrics, /^churn_requests_total\{protocol="rest",code="PAYLOAD_TOO_LARGE"\} (\d+)$/m), 1);
    assert.equal(metricValue(metrics, /^http_requests_total\{route="\/predict",method="POST",status="413"\} (\d+)$/m), 1);
  });

  test('a client that hangs up mid-body is counted ABORTED and leaves nothing in flight', async () => {
    const body = JSON.stringify(validRecord());
    const before = await (await fetch(`${origin}/metrics`)).text();
    const abortedBefore = metricValue(before, /^churn_requests_total\{protocol="rest",code="ABORTED"\} (\d+)$/m) || 0;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`POST /predict HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 20)}`);
    await sleep(50);
    socket.destroy();
    const giveUpAt = performance.now() + 5000;
    let metrics = '';
    do {
      await sleep(10);
      metrics = await (await fetch(`${origin}/metrics`)).text();
    } while (metricValue(metrics, /^churn_requests_total\{protocol="rest",code="ABORTED"\} (\d+)$/m) !== abortedBefore + 1 && performance.now() < giveUpAt);
    assert.equal(metricValue(metrics, /^churn_requests_total\{protocol="rest",code="ABORTED"\} (\d+)$/m), abortedBefore + 1);
    assert.equal(metricValue(metrics, /^churn_requests_in_flight\{protocol="rest"\} (\d+)$/m), 0);
    // Only the /metrics request itself is in flight.
    assert.equal(metricValue(metrics, /^http_requests_in_flight (\d+)$/m), 1);
    assert.equal(t.core.state.inFlight, 0);
  });
});
