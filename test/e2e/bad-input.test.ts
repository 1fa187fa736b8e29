import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { runLoadTest } from '../../src/loadtest/load-test.js';
import { SeededRandom } from '../../src/foundation/seeded-random.js';
import { sendRaw, type RawOutcome } from './harness/raw-http.js';
import { Replica } from './harness/replica.js';
import { reportFigures } from './harness/scenario-figures.js';

const goodRecord = {
  gender: 'Female', SeniorCitizen: 0, Partner: 'Yes', Dependents: 'No', tenure: 1, PhoneService: 'No', MultipleLines: 'No phone service',
  InternetService: 'DSL', OnlineSecurity: 'No', OnlineBackup: 'Yes', DeviceProtection: 'No', TechSupport: 'No', StreamingTV: 'No',
  StreamingMovies: 'No', Contract: 'Month-to-month', PaperlessBilling: 'Yes', PaymentMethod: 'Electronic check', MonthlyCharges: 29.85, TotalCharges: 29.85,
};

function request(path: string, body: string | Buffer, contentType = 'application/json', extraHeaders = ''): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n${extraHeaders}\r\n`), payload]);
}

/** Thousands of hostile requests, from a seeded generator: every kind the issue names. */
function* hostileRequests(count: number): Generator<{ kind: string; bytes: Buffer }> {
  const random = new SeededRandom(7);
  const good = JSON.stringify(goodRecord);
  const kinds: [string, () => Buffer][] = [
    ['malformed JSON', () => request('/predict', good.slice(0, -1) + ',,}')],
    ['truncated body', () => request('/predict', good).subarray(0, 150 + Math.floor(random.next() * 100))],
    ['oversized body', () => request('/predict/batch', JSON.stringify({ records: Array.from({ length: 20_000 }, () => goodRecord) }))],
    ['batch over the limit', () => request('/predict/batch', JSON.stringify({ records: Array.from({ length: 1500 }, () => goodRecord) }))],
    ['wrongly typed fields', () => request('/predict', JSON.stringify({ ...goodRecord, tenure: 'twelve', Contract: 3, TotalCharges: [1] }))],
    ['deeply nested JSON', () => request('/predict', '['.repeat(100_000) + ']'.repeat(100_000))],
    ['deeply nested object', () => request('/predict', '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000))],
    ['random bytes as JSON', () => request('/predict', randomBytes(500))],
    ['random bytes as HTTP', () => randomBytes(300)],
    ['wrong content type', () => request('/predict', good, 'application/xml')],
    ['CSV with broken quotes', () => request('/predict/batch', 'customerID,gender\n"abc,Male\n', 'text/csv')],
    ['JSON null', () => request('/predict', 'null')],
    ['records not an array', () => request('/predict/batch', '{"records":{"0":1}}')],
    ['unknown route', () => request('/predict/everything', good)],
    ['invalid header', () => Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nBad Header: \x01\r\n\r\n')],
    ['huge header', () => Buffer.from(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`)],
    ['lying content-length', () => Buffer.concat([request('/predict', good).subarray(0, 60), Buffer.from('Content-Length: -5\r\n\r\n')])],
  ];
  for (let i = 0; i < count; i++) {
    const [kind, make] = kinds[i % kinds.length]!;
    yield { kind, bytes: make() };
  }
}

describe('bad input at volume, and slow clients', { timeout: 120_000 }, () => {
  it('answers only 4xx or closes, never 5xx or a crash, and keeps serving good requests', async (t) => {
    // Shedding off: sixteen clients sending nothing but hostile bodies (some take 10-50 ms to refuse) keep the CPU
    // busy by design, and a slow host then sheds some with 503 OVERLOADED, which is right under load but is not what
    // this test is about (test/e2e/overload.test.ts is). Off, any 5xx here is the input's fault.
    const replica = await Replica.start({ REQUEST_TIMEOUT_MS: '3000', MAX_EVENT_LOOP_DELAY_MS: '0' });
    try {
      await replica.waitReady();
      // Good traffic interleaved with the bad throughout.
      const controller = new AbortController();
      const good = runLoadTest({ url: replica.url, profile: 'constant:100', durationSeconds: 120, connections: 4, signal: controller.signal });

      // Slow clients: headers dribbled one byte at a time (slowloris), and a body that never finishes.
      const slow: Promise<RawOutcome>[] = [];
      for (let i = 0; i < 20; i++) {
        slow.push(sendRaw(replica.port, [...'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: '.split(''), ...Array.from({ length: 200 }, () => 'a')], { gapMs: 100, timeoutMs: 30_000 }));
        slow.push(sendRaw(replica.port, [`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"gender":`], { timeoutMs: 30_000 }));
      }

      const counts = new Map<string, number>();
      const serverErrors: string[] = [];
      const requests = [...hostileRequests(3400)];
      const concurrency = 16;
      let next = 0;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < requests.length) {
          const { kind, bytes } = requests[next++]!;
          const outcome = await sendRaw(replica.port, [bytes]);
          const key = outcome.status === undefined ? 'closed' : String(outcome.status);
          counts.set(key, (counts.get(key) ?? 0) + 1);
          if (outcome.status !== undefined && (outcome.status >= 500 || outcome.status < 400)) serverErrors.push(`${kind}: ${outcome.status}`);
        }
      }));
      const slowOutcomes = await Promise.all(slow);
      const ready = await fetch(`${replica.url}/readyz`);
      await ready.arrayBuffer();
      controller.abort();
      const report = await good;

      const slowSummary = slowOutcomes.map((o) => (o.status === undefined ? (o.closed ? 'closed' : 'open') : String(o.status)));
      reportFigures(t, 'good traffic during bad input', report,
        `; bad requests: ${requests.length} → ${[...counts].map(([k, n]) => `${k}x${n}`).join(' ')}; slow clients: ${[...new Set(slowSummary)].map((s) => `${s}x${slowSummary.filter((x) => x === s).length}`).join(' ')}`);
      assert.deepEqual(serverErrors.slice(0, 10), [], 'bad input must get 4xx, never 5xx or 2xx/3xx');
      assert.ok(slowOutcomes.every((o) => o.closed || (o.status !== undefined && o.status >= 400 && o.status < 500)), `slow clients: ${slowSummary.join(',')}`);
      assert.equal(replica.process.exitCode, null, 'the server is still running');
      assert.equal(ready.status, 200, 'the server is still ready');
      assert.equal(report.requests.failed, 0, `good requests failed: ${JSON.stringify(report.errors.byKind)}`);
      assert.ok(report.requests.ok > 500);
    } finally {
      await replica.stop();
    }
  });
});
