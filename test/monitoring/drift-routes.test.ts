import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { v2Request } from '../../src/loadtest/request-payloads.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { temporaryDirectory } from '../helpers/fixtures.js';
import { bundledModel, testApp } from '../server/app-harness.js';
import { driftFixture, shifted } from './drift-fixtures.js';

const { heldOut } = driftFixture();
const apiKey = 'drift-test-key-0123456789';
const work = temporaryDirectory('churn-drift-routes-');
after(() => rmSync(work, { recursive: true, force: true }));

/** A metric's value on /metrics for the given labels (undefined when the series is absent). */
function metricValue(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

interface DriftBody {
  available: boolean; reason?: string; model: { name: string; version: string };
  window: { kind: string; size: number; records: number }; enoughData: boolean;
  features: { name: string; psi: number; refused: Record<string, number> }[]; score: { psi: number; mean: number | null };
}

/** The bundled model without its reference profile: what a format version 1 artifact loads as. */
function unprofiledRuntime(): NativeRuntime {
  const { manifest } = bundledModel();
  const { referenceProfile: _, ...v1 } = { ...manifest, formatVersion: 1 as const };
  return new NativeRuntime({ ...bundledModel(), manifest: v1 });
}

describe('GET /model/drift and the drift metrics, over the bundled model, fed by REST and V2 alike', async () => {
  const { app } = await testApp({ API_KEYS: apiKey, DRIFT_WINDOW: '1000' });
  after(() => app.close());
  const auth = { authorization: `Bearer ${apiKey}` };
  const batch = (records: unknown[]) => app.inject({ method: 'POST', url: '/predict/batch', headers: auth, payload: { records } });
  const infer = (records: readonly Record<string, unknown>[]) => app.inject({ method: 'POST', url: '/v2/models/churn/infer', headers: auth, payload: v2Request(records) });
  const drift = async () => (await app.inject({ method: 'GET', url: '/model/drift', headers: auth })).json() as DriftBody;
  const metrics = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;

  it('is behind the API key, like /model', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/model/drift' })).statusCode, 401);
  });

  it('GET /model says the model has a reference profile', async () => {
    const card = (await app.inject({ method: 'GET', url: '/model', headers: auth })).json() as { referenceProfile: { source: string; rows: number } | null };
    assert.equal(card.referenceProfile?.rows, bundledModel().manifest.referenceProfile!.rows);
  });

  it('starts empty: no divergence exported before the window holds enough records', async () => {
    const body = await drift();
    assert.equal(body.available, true);
    assert.deepEqual(body.model, { name: 'churn', version: bundledModel().manifest.version });
    assert.deepEqual(body.window, { kind: 'records', size: 1000, records: 0 });
    assert.equal(body.enoughData, false);
    const text = await metrics();
    assert.equal(metricValue(text, 'churn_drift_window_records'), 0);
    assert.equal(metricValue(text, 'churn_feature_drift_psi', '{feature="Contract"}'), undefined);
    assert.equal(metricValue(text, 'churn_score_drift_psi'), undefined);
  });

  it('counts scored records from /predict, /predict/batch (JSON and CSV) and V2 infer; stationary traffic stays under the threshold', async () => {
    assert.equal((await batch(heldOut.slice(0, 400))).statusCode, 200);
    assert.equal((await infer(heldOut.slice(400, 998))).statusCode, 200);
    assert.equal((await app.inject({ method: 'POST', url: '/predict', headers: auth, payload: heldOut[998] })).statusCode, 200);
    assert.equal((await app.inject({ method: 'POST', url: '/predict?explain=true', headers: auth, payload: heldOut[999] })).statusCode, 200);
    const body = await drift();
    assert.equal(body.window.records, 1000);
    assert.equal(body.enoughData, true);
    for (const f of body.features) assert.ok(f.psi < 0.1, `${f.name} ${f.psi}`);
    const text = await metrics();
    assert.ok(metricValue(text, 'churn_feature_drift_psi', '{feature="Contract"}')! < 0.1);
    assert.ok(metricValue(text, 'churn_score_drift_psi')! < 0.1);
  });

  it('V2 traffic counts like REST traffic: the same records give the same window either way', async () => {
    const records = shifted(heldOut.slice(0, 1000), { Contract: 'Two year' });
    assert.equal((await batch(records)).statusCode, 200);
    const byRest = await drift();
    assert.equal((await infer(records)).statusCode, 200);
    const byV2 = await drift();
    assert.deepEqual(byV2.features, byRest.features);
    assert.deepEqual(byV2.score, byRest.score);
  });

  it('a shifted feature raises its metric above 0.2 once it fills the window, whichever protocol carried it', async () => {
    assert.equal((await batch(shifted(heldOut.slice(0, 500), { Contract: 'Month-to-month' }))).statusCode, 200);
    assert.equal((await infer(shifted(heldOut.slice(500, 1000), { Contract: 'Month-to-month' }))).statusCode, 200);
    const text = await metrics();
    assert.ok(metricValue(text, 'churn_feature_drift_psi', '{feature="Contract"}')! > 0.2);
    assert.ok(metricValue(text, 'churn_feature_drift_psi', '{feature="tenure"}')! < 0.1);
    assert.ok(metricValue(text, 'churn_feature_drift_jensen_shannon', '{feature="Contract"}')! > 0.1);
  });

  it('refused records are counted by feature and reason, from every protocol, and do not enter the window', async () => {
    const before = await drift();
    const response = await batch([{ ...heldOut[0], Contract: 'Lifetime' }, { ...heldOut[1], Contract: 'Lifetime', tenure: -1 }]);
    assert.equal(response.statusCode, 200);
    const single = await app.inject({ method: 'POST', url: '/predict', headers: auth, payload: { ...heldOut[2], Contract: 'Lifetime' } });
    assert.equal(single.statusCode, 422);
    // V2 fails the whole call on one invalid record; its refused values are counted all the same.
    const v2 = await infer([heldOut[3]!, { ...heldOut[4], Contract: 'Lifetime' }]);
    assert.equal(v2.statusCode, 400);
    const body = await drift();
    assert.deepEqual(body.features.find((f) => f.name === 'Contract')!.refused, { category: 4 });
    assert.deepEqual(body.features.find((f) => f.name === 'tenure')!.refused, { range: 1 });
    const text = await metrics();
    assert.equal(metricValue(text, 'churn_refused_values_total', '{feature="Contract",reason="category"}'), 4);
    assert.deepEqual(body.score, before.score, 'the valid record of the failed V2 call was not scored, so not counted');
  });
});

describe('the server\'s own calls are not traffic', async () => {
  it('the console\'s global importance scores sample customers without counting them for drift or logging them', async () => {
    const file = join(work, 'console.jsonl');
    const { app } = await testApp({ DRIFT_WINDOW: '1000', PAYLOAD_LOG: `file:${file}` });
    try {
      const importance = await app.inject({ method: 'GET', url: '/console/importance' });
      assert.equal(importance.statusCode, 200, importance.body);
      assert.equal(((await app.inject({ method: 'GET', url: '/model/drift' })).json() as DriftBody).window.records, 0);
      assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: heldOut[0] })).statusCode, 200);
      assert.equal(((await app.inject({ method: 'GET', url: '/model/drift' })).json() as DriftBody).window.records, 1);
    } finally {
      await app.close();
    }
    assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { operation: string }).operation), ['predict']);
  });
});

describe('a model without a reference profile (format version 1)', async () => {
  const { app, core } = await testApp({}, unprofiledRuntime());
  after(() => app.close());

  it('is served as before; /model and /model/drift say there is no profile, and no drift series exists', async () => {
    assert.equal(((await app.inject({ method: 'GET', url: '/model' })).json() as { referenceProfile: unknown }).referenceProfile, null);
    const body = (await app.inject({ method: 'GET', url: '/model/drift' })).json() as DriftBody;
    assert.equal(body.available, false);
    assert.match(body.reason!, /reference profile/);
    assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: heldOut[0] })).statusCode, 200);
    assert.doesNotMatch((await app.inject({ method: 'GET', url: '/metrics' })).body, /churn_feature_drift|churn_drift_window|churn_score_drift/);
  });

  it('a swap to a model with a profile brings its monitor: the series appear, counted from the swap on', async () => {
    const plane = core.planeFor(new NativeRuntime(bundledModel()));
    await plane.warmUp();
    core.swap(plane);
    const empty = (await app.inject({ method: 'GET', url: '/model/drift' })).json() as DriftBody;
    assert.equal(empty.available, true);
    assert.equal(empty.window.records, 0);
    assert.equal((await app.inject({ method: 'POST', url: '/v2/models/churn/infer', payload: v2Request(heldOut.slice(0, 3)) })).statusCode, 200);
    assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: heldOut[3] })).statusCode, 200);
    assert.equal(((await app.inject({ method: 'GET', url: '/model/drift' })).json() as DriftBody).window.records, 4);
    assert.equal(metricValue((await app.inject({ method: 'GET', url: '/metrics' })).body, 'churn_drift_window_records'), 4);
  });

  it('a swap back to a model without one leaves no drift series behind', async () => {
    const plane = core.planeFor(unprofiledRuntime());
    await plane.warmUp();
    core.swap(plane);
    assert.equal(((await app.inject({ method: 'GET', url: '/model/drift' })).json() as DriftBody).available, false);
    assert.doesNotMatch((await app.inject({ method: 'GET', url: '/metrics' })).body, /^churn_(feature_drift|drift_window|score_drift)\w*(\{|\s)/m);
  });
});

describe('DRIFT_WINDOW=off', async () => {
  const { app } = await testApp({ DRIFT_WINDOW: 'off' });
  after(() => app.close());

  it('turns monitoring off: /model/drift says so, and no drift series exists', async () => {
    const body = (await app.inject({ method: 'GET', url: '/model/drift' })).json() as DriftBody;
    assert.deepEqual([body.available, body.reason], [false, 'drift monitoring is off (DRIFT_WINDOW=off)']);
    assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: heldOut[0] })).statusCode, 200);
    assert.doesNotMatch((await app.inject({ method: 'GET', url: '/metrics' })).body, /churn_feature_drift|churn_drift_window/);
  });
});
