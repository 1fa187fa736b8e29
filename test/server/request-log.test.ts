import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { DurationSketch } from '../../src/server/duration-sketch.js';
import { RequestLog, type RequestLogSettings } from '../../src/server/request-log.js';
import { validRecord } from '../helpers/fixtures.js';
import { testApp } from './app-harness.js';

const json = { 'content-type': 'application/json' };

/** A request log writing parsed lines into an array, with a random source the test controls. */
function captured(settings: Partial<RequestLogSettings>, random: () => number = Math.random, level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>); } });
  const log = new RequestLog(logger, { sampleRate: 0, slowMs: 0, summarySeconds: 0, ...settings }, () => ({ inFlight: 3 }), random);
  return { log, lines };
}

let ids = 0;
const request = () => ({ id: `r-${++ids}`, method: 'POST', url: '/predict?x=1' });

describe('the request log policy', () => {
  test('server errors are always logged (error), client errors always (info), whatever the sample', () => {
    const { log, lines } = captured({ sampleRate: 0 });
    const failed = request();
    log.answered(failed, '/predict', 500, 2);
    log.answered(request(), '/predict', 422, 1);
    log.answered(request(), '/predict', 200, 1);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!['level'], 50);
    assert.equal(lines[0]!['requestId'], failed.id);
    assert.equal(lines[0]!['status'], 500);
    assert.equal(lines[0]!['logged'], 'server error');
    assert.equal(lines[0]!['route'], '/predict');
    assert.equal(lines[0]!['url'], '/predict?x=1');
    assert.equal(lines[1]!['level'], 30);
    assert.equal(lines[1]!['logged'], 'client error');
  });

  test('slow requests are always logged (warn), at the threshold included; slowMs 0 turns it off', () => {
    const { log, lines } = captured({ sampleRate: 0, slowMs: 100 });
    log.answered(request(), '/predict', 200, 99.9);
    log.answered(request(), '/predict', 200, 100);
    log.answered(request(), '/predict', 503, 250);
    assert.deepEqual(lines.map((l) => [l['level'], l['logged'], l['status']]), [[40, 'slow', 200], [40, 'slow', 503]]);
    const off = captured({ sampleRate: 0, slowMs: 0 });
    off.log.answered(request(), '/predict', 200, 60_000);
    assert.equal(off.lines.length, 0);
  });

  test('above info (LOG_LEVEL=warn) only slow requests and server errors are looked at: no draw, no count, no summary', () => {
    const { log, lines } = captured({ sampleRate: 1, slowMs: 100, summarySeconds: 60 }, () => { throw new Error('nothing is sampled above info'); }, 'warn');
    log.start();
    log.answered(request(), '/predict', 200, 1);
    log.answered(request(), '/predict', 422, 1);
    log.answered(request(), '/predict', 503, 1);
    log.answered(request(), '/predict', 200, 150);
    log.answered(request(), '/predict', 500, 2);
    log.summarise();
    log.stop();
    assert.deepEqual(lines.map((l) => [l['level'], l['logged'], l['status']]), [[40, 'slow', 200], [50, 'server error', 500]]);
    // The same requests at info: the summary counts all five.
    const info = captured({ sampleRate: 0, slowMs: 100, summarySeconds: 60 }, Math.random, 'info');
    for (const [status, ms] of [[200, 1], [422, 1], [503, 1], [200, 150], [500, 2]] as const) info.log.answered(request(), '/predict', status, ms);
    info.log.summarise();
    const summary = info.lines.find((l) => l['msg'] === 'requests')!;
    assert.equal(summary['requests'], 5);
    assert.equal(summary['slow'], 1);
  });

  test('sample rate 1 logs every ordinary request, 0 none, and a share in between follows the random source', () => {
    const all = captured({ sampleRate: 1 }, () => { throw new Error('rate 1 needs no draw'); });
    for (let i = 0; i < 50; i++) all.log.answered(request(), '/predict', 200, 1);
    assert.equal(all.lines.length, 50);
    assert.ok(all.lines.every((l) => l['logged'] === 'sample' && l['level'] === 30));

    const none = captured({ sampleRate: 0 });
    for (let i = 0; i < 50; i++) none.log.answered(request(), '/predict', i % 2 === 0 ? 200 : 503, 1);
    assert.equal(none.lines.length, 0, '503s (shed requests) are sampled like the rest');

    let draw = 0;
    const draws = [0.05, 0.2, 0.09, 0.5];
    const some = captured({ sampleRate: 0.1 }, () => draws[draw++ % draws.length]!);
    for (let i = 0; i < 4; i++) some.log.answered(request(), '/predict', 200, 1);
    assert.equal(some.lines.length, 2, 'draws below the rate are logged');
  });

  test('the summary line counts every request, by status, with percentiles and gauges, then starts afresh', () => {
    const { log, lines } = captured({ sampleRate: 0, slowMs: 50 });
    // 100 requests: 1..100 ms; 90 answered 200, 8 shed (503), 2 failed (500).
    for (let ms = 1; ms <= 100; ms++) log.answered(request(), '/predict', ms <= 90 ? 200 : ms <= 98 ? 503 : 500, ms);
    lines.length = 0;
    log.summarise();
    assert.equal(lines.length, 1);
    const summary = lines[0]!;
    assert.equal(summary['msg'], 'requests');
    assert.equal(summary['requests'], 100);
    assert.deepEqual(summary['statuses'], { 200: 90, 500: 2, 503: 8 });
    assert.equal(summary['slow'], 51);
    assert.equal(summary['linesWritten'], 51, 'slow ones (including both 500s) each got a line');
    assert.equal(summary['inFlight'], 3);
    assert.equal(summary['maxMs'], 100);
    // Percentiles are a bucket's upper bound: never below the true value, at most 6% above.
    for (const [field, exact] of [['p50Ms', 50], ['p90Ms', 90], ['p99Ms', 99]] as const) {
      const value = summary[field] as number;
      assert.ok(value >= exact && value <= exact * 1.07, `${field} ${value} vs ${exact}`);
    }
    assert.equal(typeof summary['perSecond'], 'number');
    assert.ok((summary['perSecond'] as number) > 0);

    lines.length = 0;
    log.summarise();
    assert.equal(lines.length, 0, 'no line for an interval without requests');
    log.answered(request(), '/predict', 200, 1);
    log.summarise();
    assert.equal(lines[0]!['requests'], 1, 'counts start afresh after each summary');
  });

  test('start() writes a summary every interval; stop() writes the last one', async () => {
    const { log, lines } = captured({ sampleRate: 0, summarySeconds: 0.05 });
    log.start();
    log.answered(request(), '/predict', 200, 1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(lines.filter((l) => l['msg'] === 'requests').length, 1);
    log.answered(request(), '/predict', 200, 1);
    log.stop();
    assert.equal(lines.filter((l) => l['msg'] === 'requests').length, 2);
  });
});

describe('DurationSketch', () => {
  test('quantiles within 6% above the exact value, across microseconds to minutes', () => {
    const sketch = new DurationSketch();
    const values: number[] = [];
    for (let i = 0; i < 5000; i++) values.push(0.001 * 1.0035 ** i);
    for (const v of values) sketch.record(v);
    values.sort((a, b) => a - b);
    for (const q of [0.01, 0.5, 0.9, 0.99, 0.999]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      const got = sketch.quantileMs(q);
      assert.ok(got >= exact - 0.0005 && got <= exact * 1.0625 + 0.001, `q${q}: ${got} vs ${exact}`);
    }
    assert.equal(sketch.maxMs, values.at(-1));
    sketch.reset();
    assert.equal(sketch.count, 0);
    assert.equal(sketch.quantileMs(0.5), 0);
  });
});

describe('the request log in the app (LOG_LEVEL=info, defaults)', () => {
  test('a failed request is logged with the id the client got back; successes are not, at the default sample', async () => {
    const t = await testApp({ LOG_LEVEL: 'info', REQUEST_LOG_SAMPLE_RATE: '0' });
    try {
      const ok = await t.app.inject({ method: 'POST', url: '/predict', headers: { ...json, 'x-request-id': 'fine-1' }, payload: validRecord() });
      assert.equal(ok.headers['x-request-id'], 'fine-1');
      const bad = await t.app.inject({ method: 'POST', url: '/predict', headers: json, payload: { ...validRecord(), tenure: 'long' } });
      assert.equal(bad.statusCode, 422);
      const id = bad.headers['x-request-id'];
      assert.match(String(id), /^[0-9a-f-]{36}$/, 'a fresh UUID when the client sent none');
      const lines = t.logs.filter((l) => l['msg'] === 'request');
      assert.deepEqual(lines.map((l) => [l['requestId'], l['status'], l['route']]), [[id, 422, '/predict']]);

      // The metrics count both, whatever the log wrote.
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /http_requests_total\{[^}]*route="\/predict"[^}]*status="200"[^}]*\} 1\n/);
      assert.match(metrics, /http_requests_total\{[^}]*route="\/predict"[^}]*status="422"[^}]*\} 1\n/);

      // Closing the app writes the last summary, which counts every request (the /metrics scrape included).
      await t.app.close();
      const summary = t.logs.find((l) => l['msg'] === 'requests');
      assert.ok(summary !== undefined, JSON.stringify(t.logs.slice(-3)));
      assert.equal(summary['requests'], 3);
      assert.deepEqual(summary['statuses'], { 200: 2, 422: 1 });
    } finally {
      await t.app.close();
    }
  });

  test('a bad REQUEST_LOG_* value stops start-up naming the variable', async () => {
    for (const [name, value] of [['REQUEST_LOG_SAMPLE_RATE', '1.5'], ['REQUEST_LOG_SLOW_MS', '-1'], ['REQUEST_LOG_SUMMARY_SECONDS', '0.5']]) {
      await assert.rejects(testApp({ [name!]: value! }), (error: Error & { code?: string }) => error.code === 'INVALID_CONFIG' && error.message.includes(name!));
    }
  });
});

describe('request.log (deferredChildLogger)', () => {
  test('a line written through it carries the request id; nothing is made for levels that are off', async () => {
    const { deferredChildLogger } = await import('../../src/server/deferred-child-logger.js');
    const lines: Record<string, unknown>[] = [];
    const parent = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>); } });
    let children = 0;
    const counting = new Proxy(parent, {
      get: (target, name, receiver) => (name === 'child' ? (...args: Parameters<typeof parent.child>) => { children++; return target.child(...args); } : Reflect.get(target, name, receiver)),
    });
    const log = deferredChildLogger(counting, { requestId: 'req-7' }, {});
    log.debug({ ignored: true }, 'below the level');
    assert.equal(children, 0, 'no child for a line that is not written');
    assert.equal(log.level, 'info');
    log.warn({ answer: 42 }, 'written');
    log.error('again');
    assert.equal(children, 1, 'one child, made on the first line and kept');
    assert.deepEqual(lines.map((l) => [l['requestId'], l['msg'], l['level']]), [['req-7', 'written', 40], ['req-7', 'again', 50]]);
    assert.equal(lines[0]!['answer'], 42);
  });
});
