import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { validRecord } from '../helpers/fixtures.js';
import { errorOf, testApp, type TestApp } from './app-harness.js';

const json = { 'content-type': 'application/json' };

describe('POST /predict/batch over HTTP', () => {
  let t: TestApp;
  before(async () => { t = await testApp({ MAX_BATCH_SIZE: '50' }); });
  after(async () => { await t.app.close(); });

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
