import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCatalogue, ChurnError } from '../../src/errors.js';
import { buildApp } from '../../src/server/app.js';
import { toChurnError } from '../../src/server/http-errors.js';
import { validRecord } from '../helpers/fixtures.js';
import { errorOf, testApp, testConfig, testCore, type TestApp } from './app-harness.js';

const json = { 'content-type': 'application/json' };

/** Checks status, code, the one body shape, and that the status is the catalogue's for the code. */
function assertError(response: { statusCode: number; body: string }, status: number, code: string) {
  assert.equal(response.statusCode, status, response.body.slice(0, 300));
  const error = errorOf(response.body);
  assert.equal(error.code, code);
  assert.equal(errorCatalogue[error.code as keyof typeof errorCatalogue].status, status);
  return error;
}

describe('every class of bad input gets its code, its status and the one error shape', () => {
  let t: TestApp;
  before(async () => { t = await testApp({ BODY_LIMIT_BYTES: '4096', MAX_BATCH_SIZE: '3' }); });
  after(async () => { await t.app.close(); });

  test('malformed JSON is 400 MALFORMED_JSON', async () => {
    for (const payload of ['{"tenure": ', '{bad}', '', '{"a":1}}']) {
      assertError(await t.app.inject({ method: 'POST', url: '/predict', headers: json, payload }), 400, 'MALFORMED_JSON');
    }
  });

  test('a content type the route does not take is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const [url, type] of [['/predict', 'text/plain'], ['/predict', 'text/csv'], ['/predict', 'application/xml'], ['/predict/batch', 'application/x-www-form-urlencoded']]) {
      assertError(await t.app.inject({ method: 'POST', url: url!, headers: { 'content-type': type! }, payload: 'a=1' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    assertError(await t.app.inject({ method: 'POST', url: '/predict' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('a body over BODY_LIMIT_BYTES is 413 PAYLOAD_TOO_LARGE', async () => {
    const payload = JSON.stringify({ ...validRecord(), padding: 'x'.repeat(5000) });
    assertError(await t.app.inject({ method: 'POST', url: '/predict', headers: json, payload }), 413, 'PAYLOAD_TOO_LARGE');
  });

  test('an invalid record is 422 INVALID_RECORD listing every failing field', async () => {
    const record = { ...validRecord(), tenure: 1.5, MonthlyCharges: 'cheap', Contract: 'Weekly', gender: undefined };
    const error = assertError(await t.app.inject({ method: 'POST', url: '/predict', headers: json, payload: record }), 422, 'INVALID_RECORD');
    assert.deepEqual(error.details.map((d) => [d.path, d.reason]).sort(), [
      ['/Contract', 'category'], ['/MonthlyCharges', 'type'], ['/gender', 'required'], ['/tenure', 'integer'],
    ]);
    for (const body of [null, [], 'text', 42]) {
      const e = assertError(await t.app.inject({ method: 'POST', url: '/predict', headers: json, payload: JSON.stringify(body) }), 422, 'INVALID_RECORD');
      assert.equal(e.details[0]!.reason, 'not_object');
    }
  });

  test('a batch body without a records array is 422 INVALID_BODY', async () => {
    for (const payload of [{}, { records: 5 }, [], { records: null }]) {
      const error = assertError(await t.app.inject({ method: 'POST', url: '/predict/batch', headers: json, payload: JSON.stringify(payload) }), 422, 'INVALID_BODY');
      assert.ok(error.details.length > 0);
    }
  });

  test('a batch over MAX_BATCH_SIZE is 413 BATCH_TOO_LARGE', async () => {
    const payload = { records: [{}, {}, {}, {}] };
    assertError(await t.app.inject({ method: 'POST', url: '/predict/batch', headers: json, payload }), 413, 'BATCH_TOO_LARGE');
    const csv = 'gender\nMale\nMale\nMale\nMale\n';
    assertError(await t.app.inject({ method: 'POST', url: '/predict/batch', headers: { 'content-type': 'text/csv' }, payload: csv }), 422, 'INVALID_BODY');
  });

  test('malformed CSV is 400 MALFORMED_CSV', async () => {
    const csv = 'gender,tenure\n"Male,1\n';
    assertError(await t.app.inject({ method: 'POST', url: '/predict/batch', headers: { 'content-type': 'text/csv' }, payload: csv }), 400, 'MALFORMED_CSV');
  });

  test('an unknown route or method is 404 NOT_FOUND', async () => {
    assertError(await t.app.inject({ method: 'GET', url: '/predictions' }), 404, 'NOT_FOUND');
    assertError(await t.app.inject({ method: 'GET', url: '/predict' }), 404, 'NOT_FOUND');
    const long = assertError(await t.app.inject({ method: 'GET', url: `/${'a'.repeat(5000)}` }), 404, 'NOT_FOUND');
    assert.ok(long.message.length < 400, 'the URL is not echoed in full');
  });

  test('draining: /readyz and /health are 503 DRAINING with Retry-After; /livez stays 200; work is still served', async () => {
    const { app, core } = await testApp();
    try {
      core.state.beginDrain();
      for (const url of ['/readyz', '/health']) {
        const response = await app.inject({ method: 'GET', url });
        assertError(response, 503, 'DRAINING');
        assert.ok(Number(response.headers['retry-after']) > 0);
      }
      assert.equal((await app.inject({ method: 'GET', url: '/livez' })).statusCode, 200);
      const served = await app.inject({ method: 'POST', url: '/predict', headers: json, payload: validRecord() });
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['connection'], 'close');
    } finally {
      await app.close();
    }
  });

  test('overload: data-plane routes are 503 OVERLOADED with Retry-After, readiness fails, liveness and metrics stay up', { timeout: 30_000 }, async () => {
    const { app } = await testApp({ MAX_EVENT_LOOP_DELAY_MS: '20' });
    /**
     * Blocks the event loop in 250 ms slices, as a CPU-bound overload would, checking `seen` between slices
     * (for up to 5 s). Every 200 ms sampling window then holds a long delay, so the check does not depend on
     * how the sampler's timer and the slices happen to line up.
     */
    async function overloadUntil(seen: () => Promise<boolean>): Promise<boolean> {
      const giveUpAt = performance.now() + 5000;
      while (performance.now() < giveUpAt) {
        const blockedUntil = performance.now() + 250;
        while (performance.now() < blockedUntil) { /* busy */ }
        await sleep(1); // let the overdue timers (the delay monitor and the sampler) run
        if (await seen()) return true;
      }
      return false;
    }
    try {
      // The monitor arms itself after its start-up windows; overloadUntil keeps blocking until shedding shows.
      let shed: Awaited<ReturnType<typeof app.inject>> | undefined;
      assert.ok(await overloadUntil(async () => {
        shed = await app.inject({ method: 'POST', url: '/predict', headers: json, payload: validRecord() });
        return shed.statusCode === 503;
      }), 'a data-plane request is shed');
      assertError(shed!, 503, 'OVERLOADED');
      assert.ok(Number(shed!.headers['retry-after']) > 0);
      let probes = { ready: 0, live: 0, metrics: 0 };
      assert.ok(await overloadUntil(async () => {
        const ready = await app.inject({ method: 'GET', url: '/readyz' });
        probes = {
          ready: ready.statusCode,
          live: (await app.inject({ method: 'GET', url: '/livez' })).statusCode,
          metrics: (await app.inject({ method: 'GET', url: '/metrics' })).statusCode,
        };
        if (ready.statusCode === 503) assertError(ready, 503, 'OVERLOADED');
        return ready.statusCode === 503;
      }), 'readiness fails while overloaded');
      assert.deepEqual({ live: probes.live, metrics: probes.metrics }, { live: 200, metrics: 200 });
      // Shedding stops once the loop is responsive again.
      let recovered = false;
      for (let i = 0; i < 50 && !recovered; i++) {
        await sleep(100);
        recovered = (await app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200;
      }
      assert.ok(recovered, 'readiness recovers after the overload');
    } finally {
      await app.close();
    }
  });

  test('an unexpected error is 500 INTERNAL without its internals', async () => {
    const config = testConfig();
    const app = buildApp(config, await testCore(config));
    app.get('/boom', () => { throw new Error('secret internals at /var/lib/thing'); });
    try {
      const error = assertError(await app.inject({ method: 'GET', url: '/boom' }), 500, 'INTERNAL');
      assert.ok(!error.message.includes('secret internals'));
    } finally {
      await app.close();
    }
  });

  test('no odd input produces a 500', async () => {
    const payloads = [
      '{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"x": 1}}}', '1e400', '"\\ud800"',
      `${'['.repeat(5000)}${']'.repeat(5000)}`, JSON.stringify({ ...validRecord(), tenure: 1e308 }),
      JSON.stringify({ ...validRecord(), customerID: 'x'.repeat(1000) }), JSON.stringify({ ...validRecord(), tenure: { $gt: 1 } }),
      JSON.stringify({ records: [null, [], 'x', { tenure: -0 }] }), '\u0000', 'null',
    ];
    for (const url of ['/predict', '/predict/batch']) {
      for (const payload of payloads) {
        const response = await t.app.inject({ method: 'POST', url, headers: json, payload });
        assert.ok(response.statusCode < 500, `${url} ${payload.slice(0, 40)} -> ${response.statusCode} ${response.body.slice(0, 200)}`);
        if (response.statusCode >= 400) errorOf(response.body);
      }
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});

describe('toChurnError', () => {
  test('keeps catalogue errors and hides unknown ones behind INTERNAL', () => {
    const known = new ChurnError('NOT_FOUND', 'x');
    assert.equal(toChurnError(known), known);
    const unknown = toChurnError(new Error('db password is hunter2'));
    assert.equal(unknown.code, 'INTERNAL');
    assert.ok(!unknown.message.includes('hunter2'));
    assert.equal(toChurnError(Object.assign(new Error('x'), { statusCode: 431 })).code, 'HEADERS_TOO_LARGE');
    assert.equal(toChurnError(Object.assign(new Error('x'), { statusCode: 418 })).code, 'BAD_REQUEST');
    assert.equal(toChurnError(undefined).code, 'INTERNAL');
  });
});

/** Sends raw bytes to a listening app and returns everything it answers before closing. */
async function rawExchange(port: number, send: (socket: ReturnType<typeof connect>) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { received += chunk; });
    socket.on('close', () => resolve(received));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(received) : reject(error)));
    socket.on('connect', () => send(socket));
  });
}

describe('errors raised before a request reaches the router (real sockets)', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await testApp({ REQUEST_TIMEOUT_MS: '1000' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  after(async () => { await t.app.close(); });

  function bodyOf(raw: string) {
    return errorOf(raw.slice(raw.indexOf('\r\n\r\n') + 4));
  }

  test('a client too slow to send its request gets 408 REQUEST_TIMEOUT', { timeout: 10_000 }, async () => {
    const started = performance.now();
    const raw = await rawExchange(port, (socket) => socket.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te'));
    assert.match(raw, /^HTTP\/1\.1 408 /);
    assert.equal(bodyOf(raw).code, 'REQUEST_TIMEOUT');
    assert.ok(performance.now() - started < 5000, 'the timeout bounds the slow client');
  });

  test('headers that are too large get 431 HEADERS_TOO_LARGE', { timeout: 10_000 }, async () => {
    const raw = await rawExchange(port, (socket) => socket.write(`GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    assert.match(raw, /^HTTP\/1\.1 431 /);
    assert.equal(bodyOf(raw).code, 'HEADERS_TOO_LARGE');
  });

  test('bytes that are not HTTP get 400 BAD_REQUEST', { timeout: 10_000 }, async () => {
    const raw = await rawExchange(port, (socket) => socket.write('HELLO THERE\r\n\r\n'));
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.equal(bodyOf(raw).code, 'BAD_REQUEST');
  });
});
