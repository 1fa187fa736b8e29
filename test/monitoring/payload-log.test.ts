import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { v2Request } from '../../src/loadtest/request-payloads.js';
import { REQUEST_EVENT_TYPE, RESPONSE_EVENT_TYPE } from '../../src/payload-log/cloud-events.js';
import { temporaryDirectory, validRecord } from '../helpers/fixtures.js';
import { testApp } from '../server/app-harness.js';

const work = temporaryDirectory('churn-payload-log-');
after(() => rmSync(work, { recursive: true, force: true }));
const hashKey = 'payload-log-test-key-0123';
const hmac = (value: string) => createHmac('sha256', hashKey).update(value).digest('hex');

interface Received { headers: IncomingHttpHeaders; body: string }

/** A CloudEvents receiver: any HTTP server is one (CloudEvents over HTTP is plain HTTP). `hang` never answers. */
async function receiver(behaviour: 'ok' | 'hang' | 'fail' = 'ok'): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => {
      received.push({ headers: request.headers, body });
      if (behaviour === 'hang') return;
      response.writeHead(behaviour === 'ok' ? 202 : 500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, received };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

// CloudEvents 1.0 required context attributes, and the spec's rules for them.
function assertContextAttributes(attributes: Record<string, unknown>): void {
  assert.equal(attributes['specversion'], '1.0');
  for (const name of ['id', 'source', 'type']) assert.ok(typeof attributes[name] === 'string' && attributes[name] !== '', name);
  assert.ok(!Number.isNaN(Date.parse(attributes['time'] as string)), 'time is RFC 3339');
  for (const name of Object.keys(attributes)) assert.match(name, /^[a-z0-9]{1,20}$/, `attribute name ${name}: lower-case letters and digits only`);
}

describe('payload logging to a file (JSON lines)', () => {
  it('is off by default: no hook, no metric', async () => {
    const { app } = await testApp();
    assert.doesNotMatch((await app.inject({ method: 'GET', url: '/metrics' })).body, /churn_payload_log/);
    await app.close();
  });

  it('writes one line per data-plane call, REST and V2 alike: request id, protocol, model version, inputs, score, decision, latency; customerID hashed, gender dropped', async () => {
    const file = join(work, 'payloads.jsonl');
    const { app } = await testApp({ PAYLOAD_LOG: `file:${file}`, PAYLOAD_LOG_HASH_FIELDS: 'customerID', PAYLOAD_LOG_HASH_KEY: hashKey, PAYLOAD_LOG_DROP_FIELDS: 'gender' });
    const record = validRecord();
    const single = await app.inject({ method: 'POST', url: '/predict', payload: record, headers: { 'x-request-id': 'req-single-1' } });
    const batch = await app.inject({ method: 'POST', url: '/predict/batch', payload: { records: [record, { ...record, Contract: 'Lifetime' }] } });
    const v2 = await app.inject({ method: 'POST', url: '/v2/models/churn/infer', payload: v2Request([record, { ...record, tenure: 3 }]), headers: { 'x-request-id': 'req-v2-1' } });
    assert.equal(v2.statusCode, 200, v2.body);
    await app.inject({ method: 'GET', url: '/model' });
    await app.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    assert.equal(lines.length, 3, 'the scoring calls are logged, nothing else');
    const [first, second, third] = lines as [Record<string, any>, Record<string, any>, Record<string, any>];
    assert.equal(first['requestId'], 'req-single-1');
    assert.deepEqual([first['protocol'], first['operation'], first['outcome']], ['rest', 'predict', 'OK']);
    assert.deepEqual(first['model'], { name: 'churn', version: '1.0.0' });
    assert.ok(first['latencyMs'] > 0);
    const logged = first['request']['records'][0];
    assert.equal(logged['customerID'], hmac(record['customerID'] as string));
    assert.equal(logged['gender'], undefined);
    assert.equal(logged['tenure'], record['tenure']);
    const answer = single.json() as { churnProbability: number; churn: boolean };
    assert.equal(first['response']['churnProbability'], answer.churnProbability);
    assert.equal(first['response']['churn'], answer.churn);
    assert.equal(first['response']['customerID'], hmac(record['customerID'] as string), 'the echo is hashed alike: joinable');
    assert.deepEqual([second['protocol'], second['operation']], ['rest', 'predict_batch']);
    assert.equal(second['request']['records'].length, 2);
    assert.equal(second['response']['results'][1]['error']['code'], 'INVALID_RECORD');
    assert.equal(second['requestId'], batch.headers['x-request-id']);
    // V2: the records the tensors carried, and the output tensors as the response gives them.
    assert.deepEqual([third['requestId'], third['protocol'], third['operation'], third['outcome']], ['req-v2-1', 'v2', 'infer', 'OK']);
    assert.equal(third['request']['records'].length, 2);
    assert.equal(third['request']['records'][1]['tenure'], 3);
    assert.equal(third['request']['records'][0]['gender'], undefined);
    const outputs = (v2.json() as { outputs: { name: string; data: unknown[] }[] }).outputs;
    const probability = third['response']['outputs'].find((o: { name: string }) => o.name === 'probability');
    assert.deepEqual(probability['data'], outputs.find((o) => o.name === 'probability')!.data);
    assert.deepEqual(probability['shape'], [2]);
  });

  it('logs failed calls with their error code: an invalid record over REST and over V2', async () => {
    const file = join(work, 'failures.jsonl');
    const { app } = await testApp({ PAYLOAD_LOG: `file:${file}` });
    const bad = { ...validRecord(), Contract: 'Lifetime' };
    assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: bad })).statusCode, 422);
    assert.equal((await app.inject({ method: 'POST', url: '/v2/models/churn/infer', payload: v2Request([validRecord(), bad]) })).statusCode, 400);
    await app.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    assert.deepEqual(lines.map((l) => [l['protocol'], l['outcome'], l['response']['error']['code']]), [['rest', 'INVALID_RECORD', 'INVALID_RECORD'], ['v2', 'INVALID_RECORD', 'INVALID_RECORD']]);
    assert.equal(lines[1]!['response']['error']['details'][0]['path'], '/1/Contract');
    assert.equal(lines[0]!['request']['records'][0]['Contract'], 'Lifetime');
  });

  it('PAYLOAD_LOG_SAMPLE_RATE=0 logs nothing; everything is still answered', async () => {
    const file = join(work, 'none.jsonl');
    const { app } = await testApp({ PAYLOAD_LOG: `file:${file}`, PAYLOAD_LOG_SAMPLE_RATE: '0' });
    assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: validRecord() })).statusCode, 200);
    await app.close();
    assert.throws(() => readFileSync(file), /ENOENT/);
  });
});

describe('payload logging to an HTTP receiver (CloudEvents, as KServe\'s logger)', () => {
  it('binary mode: a request and a response event per inference, attributes in ce- headers, the body as data', async () => {
    const { server, url, received } = await receiver();
    const { app } = await testApp({ PAYLOAD_LOG: url, PAYLOAD_LOG_HASH_FIELDS: 'customerID' });
    const record = validRecord();
    const response = await app.inject({ method: 'POST', url: '/predict', payload: record, headers: { 'x-request-id': 'req-binary-1' } });
    await app.close();
    server.close();
    assert.equal(received.length, 2);
    const byType = new Map(received.map((r) => [r.headers['ce-type'], r]));
    const request = byType.get(REQUEST_EVENT_TYPE)!;
    const reply = byType.get(RESPONSE_EVENT_TYPE)!;
    for (const event of [request, reply]) {
      const attributes = Object.fromEntries(Object.entries(event.headers).filter(([name]) => name.startsWith('ce-')).map(([name, value]) => [name.slice(3), value]));
      assertContextAttributes(attributes);
      assert.equal(event.headers['content-type'], 'application/json');
      assert.equal(attributes['id'], 'req-binary-1');
      assert.equal(attributes['inferenceservicename'], 'churn');
      assert.equal(attributes['modelversion'], '1.0.0');
      assert.equal(attributes['protocol'], 'rest');
      assert.equal(attributes['operation'], 'predict');
    }
    const sent = (JSON.parse(request.body) as { records: Record<string, unknown>[] }).records[0]!;
    assert.equal(sent['tenure'], record['tenure']);
    assert.match(sent['customerID'] as string, /^[0-9a-f]{64}$/);
    assert.equal((JSON.parse(reply.body) as { churnProbability: number }).churnProbability, (response.json() as { churnProbability: number }).churnProbability);
    assert.equal(reply.headers['ce-outcome'], 'OK');
    assert.ok(Number(reply.headers['ce-latencyms']) > 0);
  });

  it('structured mode: one application/cloudevents+json event per POST, attributes in the body', async () => {
    const { server, url, received } = await receiver();
    const { app } = await testApp({ PAYLOAD_LOG: url, PAYLOAD_LOG_CLOUDEVENTS_MODE: 'structured' });
    await app.inject({ method: 'POST', url: '/predict', payload: validRecord() });
    await app.close();
    server.close();
    assert.equal(received.length, 2);
    for (const { headers, body } of received) {
      assert.equal(headers['content-type'], 'application/cloudevents+json');
      assert.equal(headers['ce-specversion'], undefined, 'no ce- headers in structured mode');
      const event = JSON.parse(body) as Record<string, unknown>;
      const { data, ...attributes } = event;
      assertContextAttributes(attributes);
      assert.equal(attributes['datacontenttype'], 'application/json');
      assert.equal(typeof data, 'object');
    }
  });

  it('batch mode: many inferences in one application/cloudevents-batch+json POST', async () => {
    const { server, url, received } = await receiver();
    const { app } = await testApp({ PAYLOAD_LOG: url, PAYLOAD_LOG_CLOUDEVENTS_MODE: 'batch' });
    for (let i = 0; i < 5; i++) await app.inject({ method: 'POST', url: '/predict', payload: validRecord() });
    await app.close();
    server.close();
    assert.equal(received.length, 1);
    assert.equal(received[0]!.headers['content-type'], 'application/cloudevents-batch+json');
    const events = JSON.parse(received[0]!.body) as Record<string, unknown>[];
    assert.equal(events.length, 10);
    for (const { data: _, ...attributes } of events) assertContextAttributes(attributes);
  });

  it('never blocks a request: with a receiver that never answers, requests are served and the overflow is dropped and counted', async () => {
    const { server, url, received } = await receiver('hang');
    const { app } = await testApp({ PAYLOAD_LOG: url, PAYLOAD_LOG_QUEUE_SIZE: '10', PAYLOAD_LOG_CLOUDEVENTS_MODE: 'batch' });
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: validRecord() })).statusCode, 200);
      if (i === 0) await until(() => received.length === 1); // the first batch is now stuck in flight
    }
    const elapsedMs = performance.now() - started;
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const dropped = Number(/churn_payload_log_entries_total\{outcome="dropped"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(dropped >= 180, `dropped ${dropped} of 200 (queue of 10, one entry stuck in flight)`);
    assert.ok(elapsedMs < 10_000, `${elapsedMs} ms for 200 requests`);
    server.closeAllConnections();
    server.close();
    await app.close();
  });

  it('a receiver that refuses counts the entries as failed', async () => {
    const { server, url } = await receiver('fail');
    const { app } = await testApp({ PAYLOAD_LOG: url, PAYLOAD_LOG_CLOUDEVENTS_MODE: 'batch' });
    await app.inject({ method: 'POST', url: '/predict', payload: validRecord() });
    let metrics = '';
    // The entry waits for the next flush (every second); the refusal is counted once it comes back.
    for (let tries = 0; tries < 50 && !/outcome="failed"\} 1/.test(metrics); tries++) {
      await sleep(100);
      metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    }
    assert.match(metrics, /churn_payload_log_entries_total\{outcome="failed"\} 1/);
    assert.match(metrics, /churn_payload_log_entries_total\{outcome="written"\} 0/);
    await app.close();
    server.close();
  });
});
