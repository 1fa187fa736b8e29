import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startChildServer, type ChildServer } from '../../server/child-server.js';
import { startMlflowModelServer, type MlflowModelServer } from '../harness/mlflow-server.js';
import type { MlflowWorld, ProbeRecord } from '../harness/mlflow-world.js';

interface Answer { status: number; body: unknown }

async function post(url: string, body: string, contentType: string): Promise<Answer> {
  const response = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* MLflow answers 415s in plain text */ }
  return { status: response.status, body: parsed };
}

/** The same rows in each of the protocol's input formats, as a client of `mlflow models serve` sends them. */
function requests(records: readonly ProbeRecord[], columns: readonly string[]): [string, string, string][] {
  const json = 'application/json';
  const cell = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  return [
    ['dataframe_split', JSON.stringify({ dataframe_split: { columns, data: records.map((r) => columns.map((c) => r[c] ?? null)) } }), json],
    ['dataframe_records', JSON.stringify({ dataframe_records: records }), json],
    ['instances', JSON.stringify({ instances: records }), json],
    ['inputs (records)', JSON.stringify({ inputs: records }), json],
    ['inputs (columns)', JSON.stringify({ inputs: Object.fromEntries(columns.map((c) => [c, records.map((r) => r[c] ?? null)])) }), json],
    ['params', JSON.stringify({ dataframe_records: records, params: { unused: 1 } }), json],
    ['text/csv', `${[columns.join(','), ...records.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n')}\n`, 'text/csv'],
  ];
}

/**
 * Deep equality with numbers within 1e-6: absolute up to 1, relative above (XGBoost answers float32, whose last
 * place is 4e-6 at 33: a regression's values are compared to 1e-6 of their size).
 */
function assertSameAnswer(ours: unknown, theirs: unknown, where: string): void {
  if (typeof theirs === 'number') {
    assert.equal(typeof ours, 'number', `${where}: ${JSON.stringify(ours)} vs ${theirs}`);
    assert.ok(Math.abs((ours as number) - theirs) <= 1e-6 * Math.max(1, Math.abs(theirs)), `${where}: ${String(ours)} vs ${theirs}`);
  } else if (Array.isArray(theirs)) {
    assert.ok(Array.isArray(ours) && ours.length === theirs.length, `${where}: ${JSON.stringify(ours)} vs ${JSON.stringify(theirs)}`);
    theirs.forEach((t, i) => assertSameAnswer((ours as unknown[])[i], t, `${where}[${i}]`));
  } else if (typeof theirs === 'object' && theirs !== null) {
    assert.deepEqual(Object.keys(ours as object).sort(), Object.keys(theirs).sort(), where);
    for (const [key, value] of Object.entries(theirs)) assertSameAnswer((ours as Record<string, unknown>)[key], value, `${where}.${key}`);
  } else {
    assert.equal(ours, theirs, where);
  }
}

/**
 * POST /invocations against `mlflow models serve --env-manager local` of the same model version: for every input
 * format, the same predictions (to 1e-6), and the same statuses for what MLflow refuses.
 */
export function scoringProtocolSuite(world: () => MlflowWorld): void {
  describe('the MLflow scoring protocol answers as mlflow models serve does', () => {
    const models = ['models:/churn-xgb/1', 'models:/churn-xgb-multi/1', 'models:/churn-xgb-reg/1', 'models:/churn-lightgbm/1', 'models:/churn-onnx/1'] as const;
    const pairs = new Map<string, { ours: ChildServer; theirs: MlflowModelServer }>();
    before(async () => {
      const { registry } = world();
      const started = performance.now();
      const servers = await Promise.allSettled(models.map(async (uri) => {
        const [theirs, ours] = await Promise.all([
          startMlflowModelServer(uri, registry.url),
          startChildServer({ MODEL_PATH: uri, MLFLOW_TRACKING_URI: registry.url }, 60_000),
        ]);
        pairs.set(uri, { ours, theirs });
      }));
      for (const s of servers) if (s.status === 'rejected') throw s.reason;
      process.stderr.write(`# mlflow models serve x${models.length} and our servers up in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    }, { timeout: 300_000 });
    after(async () => {
      await Promise.all([...pairs.values()].map(async ({ ours, theirs }) => { ours.kill(); await theirs.stop(); }));
    });

    for (const uri of models) {
      test(`${uri}: every input format, the same predictions`, async () => {
        const { fixtures } = world();
        const pair = pairs.get(uri) ?? assert.fail(`${uri} is not served`);
        const onnx = uri.includes('onnx');
        // JSON cannot tell 1.0 from 1, so pandas reads a column of whole numbers as integers, which MLflow refuses for the
        // ONNX model's float32 columns: its rows get fractions.
        const source = onnx ? fixtures.onnxRecords.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? v : v + 0.25]))) : fixtures.records;
        const records = source.map((r) => (uri.includes('-reg') ? Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'MonthlyCharges')) : r));
        const columns = fixtures.features.filter((f) => !(uri.includes('-reg') && f === 'MonthlyCharges'));
        for (const [format, body, contentType] of requests(records, columns)) {
          const [ours, theirs] = await Promise.all([post(`http://127.0.0.1:${pair.ours.port}`, body, contentType), post(pair.theirs.url, body, contentType)]);
          assert.equal(theirs.status, 200, `MLflow, ${format}: ${JSON.stringify(theirs.body).slice(0, 500)}`);
          assert.equal(ours.status, 200, `${format}: ${JSON.stringify(ours.body).slice(0, 500)}`);
          assert.deepEqual(Object.keys(ours.body as object), ['predictions'], format);
          assertSameAnswer((ours.body as { predictions: unknown }).predictions, (theirs.body as { predictions: unknown }).predictions, `${uri} ${format}`);
        }
      });
    }

    test('what MLflow refuses is refused with its status: content types 415, malformed payloads and data 400', async () => {
      const { fixtures } = world();
      const pair = pairs.get('models:/churn-xgb/1') ?? assert.fail('not served');
      const [first] = fixtures.records;
      const { tenure: _, ...withoutTenure } = first!;
      const cases: [string, string, string][] = [
        ['text/plain', 'abc', 'text/plain'],
        ['a charset other than UTF-8', '{}', 'application/json; charset=latin-1'],
        ['an unknown parameter', '{}', 'application/json; format=pandas-split'],
        ['malformed JSON', '{"dataframe_split":', 'application/json'],
        ['a list', '[1, 2]', 'application/json'],
        ['no input field', '{"foo": 1}', 'application/json'],
        ['two input fields', JSON.stringify({ dataframe_records: [first], instances: [first] }), 'application/json'],
        ['a required column missing', JSON.stringify({ dataframe_records: [withoutTenure] }), 'application/json'],
        ['a string for a long', JSON.stringify({ dataframe_records: [{ ...first, tenure: 'x' }] }), 'application/json'],
        ['a null for a long', JSON.stringify({ dataframe_records: [{ ...first, tenure: null }] }), 'application/json'],
        ['rows as lists for a column signature', JSON.stringify({ instances: [Object.values(first!)] }), 'application/json'],
        ['malformed CSV', 'a,b\n"1,2\n', 'text/csv'],
      ];
      for (const [what, body, contentType] of cases) {
        const [ours, theirs] = await Promise.all([post(`http://127.0.0.1:${pair.ours.port}`, body, contentType), post(pair.theirs.url, body, contentType)]);
        assert.ok(theirs.status >= 400, `MLflow accepted ${what}`);
        assert.equal(ours.status, theirs.status, `${what}: ours ${JSON.stringify(ours.body).slice(0, 300)}; MLflow ${JSON.stringify(theirs.body).slice(0, 300)}`);
        const error = ours.body as { error_code: string; error: { code: string } };
        assert.equal(typeof error.error_code, 'string', what);
        assert.equal(typeof error.error.code, 'string', what);
      }
    });
  });
}
