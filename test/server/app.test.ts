import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { validRecord, dataRecords } from '../helpers/fixtures.js';
import { bundledModel, errorOf, testApp, type TestApp } from './app-harness.js';

const json = { 'content-type': 'application/json' };

describe('buildApp over the bundled model', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.app.close(); });

  test('POST /predict scores one record', async () => {
    const record = validRecord();
    const response = await t.app.inject({ method: 'POST', url: '/predict', headers: json, payload: record });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['churn', 'churnProbability', 'customerID', 'modelVersion', 'threshold']);
    assert.equal(body.customerID, record['customerID']);
    assert.equal(body.modelVersion, bundledModel().manifest.version);
    assert.equal(body.churn, body.churnProbability >= body.threshold);
  });

  test('a record without customerID gets none back', async () => {
    const { customerID: _id, ...record } = validRecord();
    const body = (await t.app.inject({ method: 'POST', url: '/predict', headers: json, payload: record })).json();
    assert.equal('customerID' in body, false);
  });

  test('POST /predict/batch answers in order and counts failures', async () => {
    const records = dataRecords().slice(0, 5);
    const payload = { records: [...records.slice(0, 2), { ...records[2], tenure: 'long' }, ...records.slice(3)] };
    const response = await t.app.inject({ method: 'POST', url: '/predict/batch', headers: json, payload });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.count, 5);
    assert.equal(body.failed, 1);
    assert.deepEqual(body.results.map((r: { customerID: string }) => r.customerID), records.map((r) => r['customerID']));
    assert.equal(body.results[2].error.code, 'INVALID_RECORD');
    assert.deepEqual(body.results[2].error.details.map((d: { path: string }) => d.path), ['/records/2/tenure']);
    const single = (await t.app.inject({ method: 'POST', url: '/predict', headers: json, payload: records[0] })).json();
    assert.equal(body.results[0].churnProbability, single.churnProbability);
  });

  test('POST /predict/batch takes the data file\'s CSV and answers CSV when asked', async () => {
    const { readFileSync } = await import('node:fs');
    const { bundledDataFile } = await import('../../src/model/bundled-model.js');
    const lines = readFileSync(bundledDataFile, 'utf8').split(/\r?\n/).slice(0, 6);
    lines[3] = lines[3]!.replace(/,(Yes|No)$/, ',$1').replace(/^([^,]*),(Male|Female)/, '$1,Robot');
    const response = await t.app.inject({
      method: 'POST', url: '/predict/batch', headers: { 'content-type': 'text/csv', accept: 'text/csv' }, payload: lines.join('\n') + '\n',
    });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/csv/);
    const rows = parse(response.body, { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 5);
    assert.equal(rows[0]!['customerID'], dataRecords()[0]!['customerID']);
    assert.ok(Number(rows[0]!['churnProbability']) > 0);
    assert.equal(rows[2]!['churnProbability'], '');
    assert.match(rows[2]!['error']!, /\/rows\/2\/gender/);
  });

  test('a CSV batch answers JSON by default, and a header without required columns fails as a whole', async () => {
    const { readFileSync } = await import('node:fs');
    const { bundledDataFile } = await import('../../src/model/bundled-model.js');
    const csv = readFileSync(bundledDataFile, 'utf8').split(/\r?\n/).slice(0, 4).join('\n') + '\n';
    const response = await t.app.inject({ method: 'POST', url: '/predict/batch', headers: { 'content-type': 'text/csv' }, payload: csv });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const body = response.json() as { count: number; failed: number; results: { customerID: string; churnProbability: number }[] };
    assert.deepEqual([body.count, body.failed], [3, 0]);
    assert.equal(body.results[0]!.customerID, dataRecords()[0]!['customerID']);
    const missing = await t.app.inject({ method: 'POST', url: '/predict/batch', headers: { 'content-type': 'text/csv' }, payload: 'customerID,tenure\nA,1\n' });
    assert.equal(missing.statusCode, 422);
    const error = errorOf(missing.body);
    assert.equal(error.code, 'INVALID_BODY');
    assert.ok(error.details.some((d) => d.path === '/columns/Contract'));
  });

  test('GET /model returns the model card', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/model' });
    assert.equal(response.statusCode, 200);
    const card = response.json();
    const manifest = bundledModel().manifest;
    assert.equal(card.name, manifest.name);
    assert.equal(card.version, manifest.version);
    assert.equal(card.algorithm, manifest.algorithm);
    assert.equal(card.trainingData.sha256, manifest.training.data.sha256);
    assert.equal(card.featureSchema.features.length, manifest.schema.features.length);
    assert.equal(card.threshold.value, manifest.threshold.value);
    assert.ok(card.metrics.test.rocAuc > 0.5);
  });

  test('probes: /livez, /readyz and /health answer 200 when serving', async () => {
    for (const url of ['/livez', '/readyz', '/health']) {
      const response = await t.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, url);
    }
    const health = (await t.app.inject({ method: 'GET', url: '/health' })).json();
    assert.deepEqual(health, { status: 'ok', modelName: bundledModel().manifest.name, modelVersion: bundledModel().manifest.version });
  });

  test('x-request-id is echoed when given and generated otherwise, and logged once per request', async () => {
    const given = await t.app.inject({ method: 'GET', url: '/livez', headers: { 'x-request-id': 'trace-123' } });
    assert.equal(given.headers['x-request-id'], 'trace-123');
    const generated = await t.app.inject({ method: 'GET', url: '/livez' });
    assert.match(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const forged = await t.app.inject({ method: 'GET', url: '/livez', headers: { 'x-request-id': 'a\u0001b' } });
    assert.notEqual(forged.headers['x-request-id'], 'a\u0001b');
  });

  test('GET /metrics exposes the Prometheus series the autoscaler and dashboards use', async () => {
    await t.app.inject({ method: 'POST', url: '/predict', headers: json, payload: validRecord() });
    await t.app.inject({ method: 'POST', url: '/predict/batch', headers: json, payload: { records: [validRecord(), {}] } });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    const text = response.body;
    for (const name of [
      'http_requests_total', 'http_request_duration_seconds_bucket', 'http_requests_in_flight', 'churn_predictions_total',
      'churn_batch_size_bucket', 'churn_inference_stage_seconds_bucket', 'churn_requests_total', 'churn_requests_in_flight',
      'churn_model_info', 'churn_invalid_records_total',
      'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes',
    ]) {
      assert.match(text, new RegExp(`^${name}`, 'm'), name);
    }
    assert.match(text, /^http_requests_total\{route="\/predict",method="POST",status="200"\} \d+/m);
    const { name, version } = bundledModel().manifest;
    assert.match(text, new RegExp(`^churn_model_info\\{name="${name}",version="${version}"\\} 1$`, 'm'));
    assert.match(text, /^churn_batch_size_count [1-9]\d*$/m);
    // Every stage of a data-plane call, by model and protocol; requests by protocol and outcome code.
    for (const stage of ['decode', 'validate_encode', 'score', 'encode']) {
      assert.match(text, new RegExp(`^churn_inference_stage_seconds_count\\{model="${name}",protocol="rest",stage="${stage}"\\} [1-9]\\d*$`, 'm'), stage);
    }
    assert.match(text, /^churn_requests_total\{protocol="rest",code="OK"\} [1-9]\d*$/m);
    assert.match(text, /^churn_requests_in_flight\{protocol="v2"\} 0$/m);
    // Only this scrape is in flight while it is being answered.
    assert.match(text, /^http_requests_in_flight 1$/m);
  });

  test('unknown routes are counted under one label, not their URL', async () => {
    await t.app.inject({ method: 'GET', url: '/no/such/path/123' });
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(text, /route="unmatched",method="GET",status="404"/);
    assert.doesNotMatch(text, /no\/such\/path/);
  });

  test('LOG_LEVEL=silent writes no request lines', async () => {
    t.logs.length = 0;
    const record = { ...validRecord(), customerID: 'LOGCHECK-1' };
    await t.app.inject({ method: 'POST', url: '/predict', headers: { ...json, 'x-request-id': 'log-1' }, payload: record });
    const lines = t.logs.filter((l) => l['requestId'] === 'log-1');
    assert.equal(lines.length, 0, 'logs are silent at LOG_LEVEL=silent');
  });
});

describe('request log lines at LOG_LEVEL=info', () => {
  test('one line per request with REQUEST_LOG_SAMPLE_RATE=1, without the body', async () => {
    const t = await testApp({ LOG_LEVEL: 'info', REQUEST_LOG_SAMPLE_RATE: '1' });
    try {
      const record = { ...validRecord(), customerID: 'LOGCHECK-1' };
      await t.app.inject({ method: 'POST', url: '/predict', headers: { ...json, 'x-request-id': 'log-1' }, payload: record });
      const lines = t.logs.filter((l) => l['requestId'] === 'log-1');
      assert.equal(lines.length, 1);
      const line = lines[0]!;
      assert.equal(line['method'], 'POST');
      assert.equal(line['route'], '/predict');
      assert.equal(line['status'], 200);
      assert.equal(typeof line['durationMs'], 'number');
      assert.ok(!JSON.stringify(t.logs).includes('LOGCHECK-1'), 'request bodies are not logged');
    } finally {
      await t.app.close();
    }
  });
});

describe('API keys', () => {
  const key = 'k'.repeat(24);
  let t: TestApp;
  before(async () => { t = await testApp({ API_KEYS: `${'z'.repeat(20)},${key}`, LOG_LEVEL: 'info' }); });
  after(async () => { await t.app.close(); });

  test('/predict, /predict/batch and /model need a valid bearer key', async () => {
    for (const [method, url] of [['POST', '/predict'], ['POST', '/predict/batch'], ['GET', '/model']] as const) {
      for (const authorization of [undefined, 'Bearer wrong-key-wrong-key', `Basic ${key}`, key]) {
        const headers: Record<string, string> = { ...json, ...(authorization === undefined ? {} : { authorization }) };
        const response = await t.app.inject({ method, url, headers, ...(method === 'POST' ? { payload: '{}' } : {}) });
        assert.equal(response.statusCode, 401, `${method} ${url} with ${authorization}`);
        assert.equal(errorOf(response.body).code, 'UNAUTHORIZED');
        assert.match(String(response.headers['www-authenticate']), /^Bearer/);
      }
    }
    const ok = await t.app.inject({ method: 'POST', url: '/predict', headers: { ...json, authorization: `Bearer ${key}` }, payload: validRecord() });
    assert.equal(ok.statusCode, 200);
    const lower = await t.app.inject({ method: 'GET', url: '/model', headers: { authorization: `bearer ${key}` } });
    assert.equal(lower.statusCode, 200);
  });

  test('probes, /metrics and the docs stay open', async () => {
    for (const url of ['/livez', '/readyz', '/health', '/metrics', '/openapi.json']) {
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 200, url);
    }
  });

  test('keys never appear in logs, errors or /model', async () => {
    await t.app.inject({ method: 'GET', url: '/model', headers: { authorization: `Bearer ${key}` } });
    const card = (await t.app.inject({ method: 'GET', url: '/model', headers: { authorization: `Bearer ${key}` } })).body;
    assert.ok(!card.includes(key));
    assert.ok(!JSON.stringify(t.logs).includes(key));
    const docs = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.deepEqual(docs.paths['/predict'].post.security, [{ bearerAuth: [] }]);
  });
});
