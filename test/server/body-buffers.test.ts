import assert from 'node:assert/strict';
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { BodyBuffers, readPooledBody, type PooledBody } from '../../src/server/body-buffers.js';
import { dataRecords } from '../helpers/fixtures.js';
import { errorOf, testApp, type TestApp } from './app-harness.js';

/** Reads `chunks` through readPooledBody, as a request stream would deliver them. */
function read(chunks: readonly (Buffer | string)[], contentLength: string | undefined, limit: number, buffers = new BodyBuffers()): Promise<PooledBody> {
  return new Promise((resolve, reject) => {
    const payload = new PassThrough();
    readPooledBody(payload, contentLength, limit, buffers, (error, body) => (error === null ? resolve(body!) : reject(error)));
    for (const chunk of chunks) payload.write(chunk);
    payload.end();
  });
}

describe('reading a body into a kept buffer', () => {
  test('the chunks arrive in order, past the first buffer\'s size too, with or without a Content-Length', async () => {
    const chunks = Array.from({ length: 40 }, (_, k) => Buffer.alloc(4000, 97 + (k % 26)));
    const whole = Buffer.concat(chunks);
    for (const contentLength of [String(whole.length), undefined]) {
      const body = await read(chunks, contentLength, 1e6);
      assert.ok(body.bytes.equals(whole), `Content-Length ${contentLength}`);
    }
  });

  test('over the limit (declared or streamed) is PAYLOAD_TOO_LARGE; a body shorter than declared is BAD_REQUEST; a stream error is 400', async () => {
    await assert.rejects(read(['x'], '2000', 1000), { code: 'PAYLOAD_TOO_LARGE' });
    await assert.rejects(read([Buffer.alloc(600), Buffer.alloc(600)], undefined, 1000), { code: 'PAYLOAD_TOO_LARGE' });
    await assert.rejects(read(['{}'], '3', 1000), { code: 'BAD_REQUEST' });
    const payload = new PassThrough();
    const failed = new Promise((resolve) => { readPooledBody(payload, undefined, 1000, new BodyBuffers(), (error) => resolve(error)); });
    payload.destroy(new Error('aborted'));
    assert.equal((await failed as { statusCode?: number }).statusCode, 400);
  });

  test('a released buffer is reused for the next body, which sees only its own bytes', async () => {
    const buffers = new BodyBuffers();
    const long = await read(['a'.repeat(50_000)], undefined, 1e6, buffers);
    long.release();
    long.release();
    assert.ok(buffers.kept > 0);
    const short = await read(['bb'], '2', 1e6, buffers);
    assert.equal(short.bytes.toString(), 'bb');
    assert.equal(short.bytes.buffer, long.bytes.buffer, 'the same memory, reused');
    assert.equal(buffers.kept, 0, 'released once only: nothing else was kept');
  });

  test('only a few buffers, and few bytes, are kept', () => {
    const buffers = new BodyBuffers();
    for (let k = 0; k < 10; k++) buffers.give(Buffer.alloc(64 * 1024));
    assert.equal(buffers.kept, 4 * 64 * 1024);
    const big = new BodyBuffers();
    big.give(Buffer.alloc(9 * 2 ** 20));
    assert.equal(big.kept, 0, 'a buffer larger than all that is kept is dropped');
  });
});

/** POSTs `body` in the given pieces (chunked transfer encoding when there are several) and reads the answer. */
function post(port: number, path: string, type: string, pieces: readonly string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': type };
    if (pieces.length === 1) headers['content-length'] = String(Buffer.byteLength(pieces[0]!));
    const call = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode!, text }));
    });
    call.on('error', reject);
    for (const piece of pieces) call.write(piece);
    call.end();
  });
}

/** A string cut into `n` nearly equal pieces. */
const pieces = (text: string, n: number): string[] => Array.from({ length: n }, (_, k) => text.slice(Math.floor((k * text.length) / n), Math.floor(((k + 1) * text.length) / n)));

describe('POST /predict/batch bodies in kept buffers, over real sockets', () => {
  let t: TestApp;
  let port: number;
  const records = dataRecords().slice(0, 400);
  before(async () => {
    t = await testApp({ BODY_LIMIT_BYTES: String(512 * 1024), MAX_BATCH_SIZE: '1000' });
    port = Number(new URL(await t.app.listen({ port: 0, host: '127.0.0.1' })).port);
  });
  after(async () => { await t.app.close(); });

  test('batches streamed in pieces, one after another and side by side, each get their own records\' answers', async () => {
    const reference = (batch: readonly Record<string, unknown>[]) => t.app.inject({ method: 'POST', url: '/predict/batch', headers: { 'content-type': 'application/json' }, payload: { records: batch } }).then((r) => r.body);
    // Long before short, so a short body lands in a buffer that held a longer one; then four at once.
    const batches = [records, records.slice(0, 3), records.slice(100, 350).reverse(), records.slice(7, 9), records.slice(0, 1), records.slice(200)];
    for (const batch of batches.slice(0, 2)) {
      const answer = await post(port, '/predict/batch', 'application/json', pieces(JSON.stringify({ records: batch }), 7));
      assert.equal(answer.status, 200);
      assert.equal(answer.text, await reference(batch));
    }
    const together = await Promise.all(batches.slice(2).map((batch, k) => post(port, '/predict/batch', 'application/json', pieces(JSON.stringify({ records: batch }), k + 1))));
    for (const [k, batch] of batches.slice(2).entries()) assert.equal(together[k]!.text, await reference(batch), `batch ${k + 2}`);
  });

  test('a CSV batch is read the same way', async () => {
    const columns = Object.keys(records[0]!);
    const csv = [columns.join(','), ...records.slice(0, 50).map((r) => columns.map((c) => (r[c] === null ? '' : String(r[c]))).join(','))].join('\n') + '\n';
    const answer = await post(port, '/predict/batch', 'text/csv', pieces(csv, 3));
    const injected = await t.app.inject({ method: 'POST', url: '/predict/batch', headers: { 'content-type': 'text/csv' }, payload: csv });
    assert.equal(answer.status, 200);
    assert.equal(answer.text, injected.body);
  });

  test('a chunked batch that grows past BODY_LIMIT_BYTES is 413 PAYLOAD_TOO_LARGE', async () => {
    const body = JSON.stringify({ records: [...records, ...records, ...records, ...records, ...records] });
    assert.ok(body.length > 512 * 1024);
    const answer = await post(port, '/predict/batch', 'application/json', pieces(body, 20));
    assert.equal(answer.status, 413);
    assert.equal(errorOf(answer.text).code, 'PAYLOAD_TOO_LARGE');
  });
});
