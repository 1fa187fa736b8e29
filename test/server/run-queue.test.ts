import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServingCore } from '../../src/serving/serving-core.js';
import { validRecord } from '../helpers/fixtures.js';
import { errorOf, testApp } from './app-harness.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* the CPU a call would take */ }
}

/**
 * Puts `ms` of work in the serving core's run queue as 10 ms calls: the first runs now, the rest wait. The
 * queue's mean call time is taught first, as a stream of such calls would (it is a running mean of calls run).
 */
async function backlog(core: ServingCore, ms: number): Promise<void> {
  for (let i = 0; i < 20; i++) core.run(() => busy(10), () => undefined);
  await drained(core);
  for (let i = 0; i < ms / 10; i++) core.run(() => busy(10), () => undefined);
}

async function drained(core: ServingCore): Promise<void> {
  const giveUpAt = performance.now() + 10_000;
  while (core.queue.length > 0 && performance.now() < giveUpAt) await sleep(10);
  assert.equal(core.queue.length, 0, 'the backlog ran');
}

/** One POST /predict on a kept-alive agent; which socket carried it. */
function predict(origin: string, agent: Agent): Promise<{ status: number; headers: Record<string, unknown>; body: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/predict`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, socket: req.socket! }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(validRecord()));
  });
}

async function scoreCount(origin: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  return Number(/^churn_inference_stage_seconds_count\{[^}]*stage="score"[^}]*\} (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

describe('the run queue under HTTP', () => {
  test('while the queue would keep a call past the bound, new calls are refused at once with 503 OVERLOADED, Retry-After, and their connection kept', { timeout: 30_000 }, async () => {
    const { app, core } = await testApp({ MAX_EVENT_LOOP_DELAY_MS: '1000' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const origin = await app.listen({ port: 0, host: '127.0.0.1' });
      const warm = await predict(origin, agent);
      assert.equal(warm.status, 200, warm.body);
      await backlog(core, 1500);
      assert.equal(core.queue.saturated, true);
      const metrics = await (await fetch(`${origin}/metrics`)).text();
      const waiting = Number(/^churn_run_queue_calls (\d+)$/m.exec(metrics)?.[1]);
      const expectedWait = Number(/^churn_run_queue_expected_wait_seconds ([\d.e+-]+)$/m.exec(metrics)?.[1]);
      // The scrape itself takes a few turns of the loop, each running one of the 10 ms calls.
      assert.ok(waiting > 50 && waiting < 150, `the backlog shows in /metrics: ${waiting} calls`);
      assert.ok(expectedWait > 0.5, `and its expected wait: ${expectedWait} s`);
      const refused = [await predict(origin, agent), await predict(origin, agent)];
      for (const response of refused) {
        assert.equal(response.status, 503, response.body);
        assert.equal(errorOf(response.body).code, 'OVERLOADED');
        assert.equal(response.headers['retry-after'], '2');
        assert.notEqual(response.headers['connection'], 'close', 'a small refused body is drained, so the connection stays');
      }
      await drained(core);
      const served = await predict(origin, agent);
      assert.equal(served.status, 200, served.body);
      assert.equal(new Set([warm.socket, ...refused.map((r) => r.socket), served.socket]).size, 1, 'one connection carried all four requests');
    } finally {
      agent.destroy();
      await app.close();
    }
  });

  test('a refused request with a large body closes its connection rather than having the body read', async () => {
    const { app, core } = await testApp({ MAX_EVENT_LOOP_DELAY_MS: '1000' });
    try {
      await backlog(core, 1500);
      const large = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: `${' '.repeat(1536 * 1024)}${JSON.stringify(validRecord())}` });
      assert.equal(large.statusCode, 503);
      assert.equal(large.headers['connection'], 'close');
      const small = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: validRecord() });
      assert.equal(small.statusCode, 503);
      assert.notEqual(small.headers['connection'], 'close');
      await drained(core);
    } finally {
      await app.close();
    }
  });

  test('a call whose client closed the connection while it waited in the queue is not scored', { timeout: 30_000 }, async () => {
    const { app, core } = await testApp({ MAX_EVENT_LOOP_DELAY_MS: '2000' });
    try {
      const origin = await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = new URL(origin);
      const before = await scoreCount(origin);
      await backlog(core, 1000); // under the bound: the call is admitted, and waits behind it
      const body = JSON.stringify(validRecord());
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(`POST /predict HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      // In flight from its headers on; its small body arrived with them, so it then waits in the queue.
      const giveUpAt = performance.now() + 5000;
      while (!/^churn_requests_in_flight\{protocol="rest"\} 1$/m.test(await (await fetch(`${origin}/metrics`)).text())) {
        assert.ok(performance.now() < giveUpAt, 'the request reached the server');
        await sleep(5);
      }
      await sleep(20);
      assert.ok(core.queue.length > 10, 'the backlog is still ahead of the call');
      socket.destroy();
      await drained(core);
      await sleep(50);
      assert.equal(await scoreCount(origin), before, 'the abandoned call was not scored');
      const metrics = await (await fetch(`${origin}/metrics`)).text();
      assert.match(metrics, /^churn_requests_total\{protocol="rest",code="ABORTED"\} 1$/m);
    } finally {
      await app.close();
    }
  });
});
