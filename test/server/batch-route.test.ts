import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { apiSchemas } from '../../src/server/openapi-schemas.js';
import { encodeBatchJson } from '../../src/serving/codecs/json-records.js';
import type { BatchOutcome } from '../../src/serving/predictions.js';
import { dataRecords, validRecord } from '../helpers/fixtures.js';
import { bundledModel, errorOf, testApp, type TestApp } from './app-harness.js';

const json = { 'content-type': 'application/json' };

/** What Fastify's schema serializer (fast-json-stringify, with the route's response schema) writes for an answer. */
async function serializerText(outcomes: readonly BatchOutcome[]): Promise<string[]> {
  const app = Fastify();
  let next = 0;
  app.get('/', { schema: { response: { 200: apiSchemas(bundledModel().manifest.schema).batchResponse } } }, async () => outcomes[next++]);
  const texts: string[] = [];
  for (let i = 0; i < outcomes.length; i++) texts.push((await app.inject({ method: 'GET', url: '/' })).body);
  await app.close();
  return texts;
}

describe('POST /predict/batch over HTTP', () => {
  let t: TestApp;
  before(async () => { t = await testApp({ MAX_BATCH_SIZE: '50' }); });
  after(async () => { await t.app.close(); });

  test('the JSON answer, written as text, is what the schema serializer writes for it, character for character', async () => {
    const ids = ['A-1', '', 'quote " and \\ backslash', 'tab\tnew\nline\u0001', 'é😀', '\u2028\u2029', '</script>', 'x'.repeat(256)];
    const records: unknown[] = ids.map((customerID, i) => ({ ...dataRecords()[i]!, customerID }));
    records.push({ ...validRecord(), tenure: 'x' }, { ...validRecord(), customerID: undefined }, 7, { ...validRecord(), customerID: 'bad "one"', gender: 'male', tenure: -1 });
    const outcomes: BatchOutcome[] = [];
    for (const body of [{ records }, { records: [] }, { records: dataRecords().slice(0, 50) }]) {
      const response = await t.app.inject({ method: 'POST', url: '/predict/batch', headers: json, payload: body });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^application\/json; charset=utf-8$/);
      const outcome = response.json() as BatchOutcome;
      assert.equal(encodeBatchJson(outcome), response.body);
      outcomes.push(outcome);
    }
    const extremes: BatchOutcome = { modelVersion: 'v"1\\', threshold: 0.3, count: 3, failed: 0, results: [
      { customerID: 'a', churnProbability: 0, churn: false }, { churnProbability: 1, churn: true }, { churnProbability: 1e-300, churn: false },
    ] };
    outcomes.push(extremes);
    const expected = await serializerText(outcomes);
    outcomes.forEach((outcome, i) => assert.equal(encodeBatchJson(outcome), expected[i]));
  });

  test('answers with explanations or a probability that is not a number are left to the serializer', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/predict/batch?explain=true', headers: json, payload: { records: [validRecord()] } });
    const outcome = response.json() as BatchOutcome;
    assert.equal(encodeBatchJson(outcome), undefined);
    assert.equal(response.body, (await serializerText([outcome]))[0]);
    assert.equal(encodeBatchJson({ modelVersion: '1', threshold: 0.5, count: 1, failed: 0, results: [{ churnProbability: Number.NaN, churn: false }] }), undefined);
  });

  test('a malformed body is 400 MALFORMED_JSON, as on /predict', async () => {
    for (const payload of ['{"records": ', '{bad}', '', '{"records":[]}}', '{"records":[{"tenure":01}]}']) {
      const response = await t.app.inject({ method: 'POST', url: '/predict/batch', headers: json, payload });
      assert.equal(response.statusCode, 400, payload);
      assert.equal(errorOf(response.body).code, 'MALFORMED_JSON');
    }
  });

  test('the one pass is observed as the decode stage, the answer as the encode stage', async () => {
    const stageCount = async (stage: string): Promise<number> => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(new RegExp(`^churn_inference_stage_seconds_count\\{[^}]*protocol="rest",stage="${stage}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    };
    const before = { decode: await stageCount('decode'), encode: await stageCount('encode'), validate: await stageCount('validate_encode') };
    const csv = `${Object.keys(validRecord()).join(',')}\n${Object.values(validRecord()).map((v) => (v === null ? '' : String(v))).join(',')}\n`;
    for (const [type, payload] of [['application/json', JSON.stringify({ records: [validRecord()] })], ['text/csv', csv]] as const) {
      await t.app.inject({ method: 'POST', url: '/predict/batch', headers: { 'content-type': type }, payload });
    }
    assert.equal(await stageCount('decode'), before.decode + 2);
    assert.equal(await stageCount('encode'), before.encode + 2);
    assert.equal(await stageCount('validate_encode'), before.validate, 'validation happens within the one pass');
  });
});
