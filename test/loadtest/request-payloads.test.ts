import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isChurnError } from '../../src/errors.js';
import { telcoChurnSchema } from '../../src/features/telco-schema.js';
import { buildRequestPayloads, parsePayloadSpec, payloadSpecText } from '../../src/loadtest/request-payloads.js';
import { testApp } from '../server/app-harness.js';

describe('request payloads', () => {
  it('single: records with the id and every feature, never the label, to /predict', () => {
    const payloads = buildRequestPayloads({ kind: 'single' }, { poolSize: 20 });
    assert.equal(payloads.path, '/predict');
    assert.equal(payloads.bodies.length, 20);
    const record = JSON.parse(payloads.bodies[0]!.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(record).sort(), [telcoChurnSchema.idField, ...telcoChurnSchema.features.map((f) => f.name)].sort());
    assert.equal('Churn' in record, false);
  });

  it('batch:<n>: {records: [...n]} to /predict/batch', () => {
    const payloads = buildRequestPayloads(parsePayloadSpec('batch:7'), { poolSize: 3 });
    assert.equal(payloads.path, '/predict/batch');
    const body = JSON.parse(payloads.bodies[2]!.toString()) as { records: unknown[] };
    assert.equal(body.records.length, 7);
    assert.equal(payloadSpecText(payloads.spec), 'batch:7');
  });

  it('v2:<n> builds Open Inference Protocol requests the real server scores: one tensor per feature, n rows', async () => {
    const payloads = buildRequestPayloads(parsePayloadSpec('v2:3'), { poolSize: 2, model: 'churn' });
    assert.equal(payloads.path, '/v2/models/churn/infer');
    assert.equal(payloadSpecText(payloads.spec), 'v2:3');
    const { app } = await testApp();
    try {
      for (const body of payloads.bodies) {
        const response: { statusCode: number; body: string } = await app.inject({ method: 'POST', url: payloads.path, headers: { 'content-type': 'application/json' }, payload: body });
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual((JSON.parse(response.body) as { outputs: { shape: number[] }[] }).outputs[0]!.shape, [3]);
      }
    } finally {
      await app.close();
    }
  });

  it('the same seed samples the same records; another seed others', () => {
    const text = (seed: number) => buildRequestPayloads({ kind: 'single' }, { seed, poolSize: 10 }).bodies.map(String).join('\n');
    assert.equal(text(1), text(1));
    assert.notEqual(text(1), text(2));
  });

  it('rejects other payload specs', () => {
    for (const spec of ['', 'batch', 'batch:0', 'batch:-1', 'batch:1.5', 'batch:100001', 'multi', 'v2', 'v2:0']) {
      assert.throws(() => parsePayloadSpec(spec), (e: unknown) => isChurnError(e) && e.code === 'INVALID_ARGUMENT', spec);
    }
  });

  it('drifted:<feature>=<value>: single records to /predict with those features fixed, the rest sampled', () => {
    const spec = parsePayloadSpec('drifted:Contract=Month-to-month,tenure=2,TotalCharges=null');
    assert.deepEqual(spec, { kind: 'drifted', overrides: { Contract: 'Month-to-month', tenure: 2, TotalCharges: null } });
    assert.equal(payloadSpecText(spec), 'drifted:Contract=Month-to-month,tenure=2,TotalCharges=null');
    const payloads = buildRequestPayloads(spec, { poolSize: 50 });
    assert.equal(payloads.path, '/predict');
    const records = payloads.bodies.map((b) => JSON.parse(b.toString()) as Record<string, unknown>);
    for (const record of records) assert.deepEqual([record['Contract'], record['tenure'], record['TotalCharges']], ['Month-to-month', 2, null]);
    assert.ok(new Set(records.map((r) => r['customerID'])).size > 40, 'the other fields still vary');
  });

  it('rejects drifted specs naming unknown features or values the schema refuses', () => {
    for (const spec of ['drifted:', 'drifted:Colour=red', 'drifted:Contract=Lifetime', 'drifted:tenure=-1', 'drifted:tenure=1.5', 'drifted:tenure=null', 'drifted:Contract']) {
      assert.throws(() => parsePayloadSpec(spec), (e: unknown) => isChurnError(e) && e.code === 'INVALID_ARGUMENT', spec);
    }
  });
});
