import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildApp } from '../../src/server/app.js';
import { NativeRuntime } from '../../src/model/runtimes/native-runtime.js';
import { bundledModel, testApp, testConfig } from '../server/app-harness.js';
import { driftFixture, shifted } from './drift-fixtures.js';

const { heldOut } = driftFixture();
const apiKey = 'drift-test-key-0123456789';

/** A metric's value on /metrics for the given labels (undefined when the series is absent). */
function metricValue(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('GET /model/drift and the drift metrics, over the bundled model', async () => {
  const { app } = await testApp({ API_KEYS: apiKey, DRIFT_WINDOW: '1000' });
  after(() => app.close());
  const auth = { authorization: `Bearer ${apiKey}` };
  const batch = (records: unknown[]) => app.inject({ method: 'POST', url: '/predict/batch', headers: auth, payload: { records } });
  const drift = async () => (await app.inject({ method: 'GET', url: '/model/drift', headers: auth })).json() as {
    available: boolean; window: { kind: string; size: number; records: number }; enoughData: boolean;
    features: { name: string; psi: number; refused: Record<string, number> }[]; score: { psi: number };
  };
  const metrics = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;

  it('is behind the API key, like /model', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/model/drift' })).statusCode, 401);
  });

  it('starts empty: no divergence exported before the window holds enough records', async () => {
    const body = await drift();
    assert.equal(body.available, true);
    assert.deepEqual(body.window, { kind: 'records', size: 1000, records: 0 });
    assert.equal(body.enoughData, false);
    const text = await metrics();
    assert.equal(metricValue(text, 'churn_drift_window_records'), 0);
    assert.equal(metricValue(text, 'churn_feature_drift_psi', '{feature="Contract"}'), undefined);
  });

  it('counts scored records from /predict and /predict/batch; stationary traffic stays under the threshold', async () => {
    assert.equal((await batch(heldOut.slice(0, 999))).statusCode, 200);
    assert.equal((await app.inject({ method: 'POST', url: '/predict', headers: auth, payload: heldOut[999] })).statusCode, 200);
    const body = await drift();
    assert.equal(body.window.records, 1000);
    assert.equal(body.enoughData, true);
    for (const f of body.features) assert.ok(f.psi < 0.1, `${f.name} ${f.psi}`);
    const text = await metrics();
    assert.ok(metricValue(text, 'churn_feature_drift_psi', '{feature="Contract"}')! < 0.1);
    assert.ok(metricValue(text, 'churn_score_drift_psi')! < 0.1);
  });

  it('a shifted feature raises its metric above 0.2 once it fills the window', async () => {
    assert.equal((await batch(shifted(heldOut.slice(0, 1000), { Contract: 'Month-to-month' }))).statusCode, 200);
    const text = await metrics();
    assert.ok(metricValue(text, 'churn_feature_drift_psi', '{feature="Contract"}')! > 0.2);
    assert.ok(metricValue(text, 'churn_feature_drift_psi', '{feature="tenure"}')! < 0.1);
    assert.ok(metricValue(text, 'churn_feature_drift_jensen_shannon', '{feature="Contract"}')! > 0.1);
  });

  it('refused records are counted by feature and reason (unknown categories), and do not enter the window', async () => {
    const response = await batch([{ ...heldOut[0], Contract: 'Lifetime' }, { ...heldOut[1], Contract: 'Lifetime', tenure: -1 }]);
    assert.equal(response.statusCode, 200);
    const single = await app.inject({ method: 'POST', url: '/predict', headers: auth, payload: { ...heldOut[2], Contract: 'Lifetime' } });
    assert.equal(single.statusCode, 422);
    const body = await drift();
    assert.deepEqual(body.features.find((f) => f.name === 'Contract')!.refused, { category: 3 });
    assert.deepEqual(body.features.find((f) => f.name === 'tenure')!.refused, { range: 1 });
    const text = await metrics();
    assert.equal(metricValue(text, 'churn_refused_values_total', '{feature="Contract",reason="category"}'), 3);
    assert.equal(body.window.records, 1000);
  });
});

describe('a model without a reference profile (format version 1)', async () => {
  const { manifest } = bundledModel();
  const { referenceProfile: _, ...v1 } = { ...manifest, formatVersion: 1 };
  const app = buildApp(testConfig(), new NativeRuntime({ ...bundledModel(), manifest: v1 }));
  await app.ready();
  after(() => app.close());

  it('is served as before; /model/drift says why there is nothing, and no drift series exists', async () => {
    const body = (await app.inject({ method: 'GET', url: '/model/drift' })).json() as { available: boolean; reason: string };
    assert.equal(body.available, false);
    assert.match(body.reason, /reference profile/);
    assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: heldOut[0] })).statusCode, 200);
    assert.doesNotMatch((await app.inject({ method: 'GET', url: '/metrics' })).body, /churn_feature_drift|churn_drift_window/);
  });
});

describe('DRIFT_WINDOW=off', async () => {
  const { app } = await testApp({ DRIFT_WINDOW: 'off' });
  after(() => app.close());

  it('turns monitoring off: /model/drift says so, and no drift series exists', async () => {
    const body = (await app.inject({ method: 'GET', url: '/model/drift' })).json() as { available: boolean; reason: string };
    assert.deepEqual([body.available, body.reason], [false, 'drift monitoring is off (DRIFT_WINDOW=off)']);
    assert.equal((await app.inject({ method: 'POST', url: '/predict', payload: heldOut[0] })).statusCode, 200);
    assert.doesNotMatch((await app.inject({ method: 'GET', url: '/metrics' })).body, /churn_feature_drift|churn_drift_window/);
  });
});
