import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testApp, type TestApp } from './app-harness.js';
import { validRecord } from '../helpers/fixtures.js';

const json = { 'content-type': 'application/json' };

describe('explanations over HTTP (?explain=true)', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.app.close(); });

  it('POST /predict?explain=true adds base value, contributions summing to the margin, and reasons', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/predict?explain=true', headers: json, payload: validRecord() });
    assert.equal(response.statusCode, 200);
    const body = response.json() as { churnProbability: number; explanation: { baseValue: number; margin: number; contributions: { feature: string; contribution: number }[]; reasons: string[] } };
    const { explanation } = body;
    assert.equal(explanation.contributions.length, 19);
    const sum = explanation.contributions.reduce((s, c) => s + c.contribution, 0);
    assert.ok(Math.abs(explanation.baseValue + sum - explanation.margin) < 1e-6);
    assert.ok(Math.abs(1 / (1 + Math.exp(-explanation.margin)) - body.churnProbability) < 1e-12);
    assert.ok(explanation.reasons.length >= 1 && explanation.reasons.every((r) => /(raises|lowers) churn risk$/.test(r)));
  });

  it('leaves explanations out unless asked', async () => {
    const body = (await t.app.inject({ method: 'POST', url: '/predict', headers: json, payload: validRecord() })).json() as Record<string, unknown>;
    assert.equal('explanation' in body, false);
  });

  it('POST /predict/batch?explain=1 explains each valid record and still reports bad ones', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/predict/batch?explain=1', headers: json, payload: { records: [validRecord(), { tenure: -1 }] } });
    assert.equal(response.statusCode, 200);
    const body = response.json() as { failed: number; results: { explanation?: { contributions: unknown[] }; error?: unknown }[] };
    assert.equal(body.failed, 1);
    assert.equal(body.results[0]!.explanation!.contributions.length, 19);
    assert.ok(body.results[1]!.error !== undefined);
  });

  it('rejects an invalid explain value with 400', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/predict?explain=maybe', headers: json, payload: validRecord() });
    assert.equal(response.statusCode, 400);
    assert.equal((response.json() as { error: { code: string } }).error.code, 'BAD_REQUEST');
  });
});
