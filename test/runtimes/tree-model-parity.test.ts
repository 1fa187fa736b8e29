import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChurnError } from '../../src/errors.js';
import type { FeatureSpec } from '../../src/features/schema.js';
import type { ModelRuntime, RuntimeOutput } from '../../src/runtimes/model-runtime.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { encodeRows } from '../helpers/runtime-records.js';
import { allFixtures, close, fixtureFile, type Expected, type Fixture } from '../model/formats/tree-model-fixtures.js';
import { testApp } from '../server/app-harness.js';

// Parity with the real libraries (scripts/fixtures/tree-model-fixtures.py) through the runtime interface, as the
// data plane drives it (records validated and encoded by the runtime's own encoder), and through the server
// (V2 infer for every model, /predict and /predict/batch for binary classifiers). Targets as in
// test/model/formats/tree-model-parity.test.ts: predictions within 1e-6, contributions within 1e-5.

interface ProbeRecords {
  /** Index in expected.rows of each record. */
  rows: number[];
  records: Record<string, unknown>[];
}

/**
 * The fixture's probe rows as records keyed by feature name (null = missing). A categorical input whose names the
 * file carries takes the name of its code; rows whose code names no category (missing, negative, fractional,
 * out of range: probes of the evaluator, test/model/formats) have no record, since such a record is refused.
 */
function probeRecords(expected: Expected, features: readonly FeatureSpec[]): ProbeRecords {
  const out: ProbeRecords = { rows: [], records: [] };
  expected.rows.forEach((row, r) => {
    const record: Record<string, unknown> = {};
    for (const [c, feature] of features.entries()) {
      const v = row[c] ?? null;
      if (feature.kind === 'numeric') {
        record[feature.name] = v;
      } else {
        const name = v !== null && Number.isInteger(v) ? feature.categories[v] : undefined;
        if (name === undefined) return;
        record[feature.name] = name;
      }
    }
    out.rows.push(r);
    out.records.push(record);
  });
  return out;
}

function softmax(margins: readonly number[]): number[] {
  const max = Math.max(...margins);
  const e = margins.map((m) => Math.exp(m - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** What each output should hold for fixture row r, from what the library answered. */
function expectedOutputs(fixture: Fixture, r: number): { values: Record<string, number[]>; exact: Set<string> } {
  const { expected } = fixture;
  const prediction = expected.prediction[r]!;
  const margins = expected.margin[r]!;
  const objective = expected.objective;
  if (margins.length === 1) {
    return { values: { [objective.startsWith('binary') && objective !== 'binary:logitraw' ? 'probability' : 'prediction']: [prediction as number] }, exact: new Set() };
  }
  // Class probabilities: predict()'s own, or for multi:softmax (which predicts the class) the softmax of its margins.
  const probability = Array.isArray(prediction) ? prediction : softmax(margins);
  const label = Array.isArray(prediction) ? margins.indexOf(Math.max(...margins)) : prediction;
  return { values: { probability, label: [label] }, exact: new Set(['label']) };
}

function assertOutputs(fixture: Fixture, file: string, outputs: readonly Pick<RuntimeOutput, 'name' | 'width' | 'data'>[], rows: readonly number[], via: string): void {
  rows.forEach((r, i) => {
    const { values, exact } = expectedOutputs(fixture, r);
    for (const [name, want] of Object.entries(values)) {
      const output = outputs.find((o) => o.name === name);
      assert.ok(output !== undefined, `${via}: no output ${name}`);
      const got = Array.from(output.data.slice(i * output.width, (i + 1) * output.width));
      assert.equal(got.length, want.length);
      got.forEach((v, c) => assert.ok(exact.has(name) ? v === want[c] : close(v, want[c]!, 1e-6), `${via} ${fixture.directory}/${file} row ${r} ${name}[${c}]: ${v} vs ${want[c]}`));
    }
  });
}

function assertContributions(fixture: Fixture, file: string, data: ArrayLike<number>, width: number, rows: readonly number[], via: string): void {
  rows.forEach((r, i) => {
    const want = fixture.expected.contributions[r]![0]!;
    assert.equal(width, want.length);
    for (let c = 0; c < width; c++) {
      const got = data[i * width + c]!;
      assert.ok(close(got, want[c]!, 1e-5), `${via} ${fixture.directory}/${file} row ${r} column ${c}: ${got} vs ${want[c]}`);
    }
  });
}

for (const fixture of allFixtures()) {
  const { expected } = fixture;
  for (const file of expected.models) {
    describe(`${fixture.directory}/${file} (${expected.objective}) through the runtime and the server`, () => {
      let runtime: ModelRuntime;
      let probes: ProbeRecords;
      before(async () => {
        runtime = await openModel(fixtureFile(fixture, file));
        probes = probeRecords(expected, runtime.description.schema.features);
      });
      after(() => runtime.close());

      it('takes every probe row its schema can express: all of them, or with named categories every data row and those others whose codes name a category', () => {
        const named = runtime.description.schema.features.some((f) => f.kind === 'categorical');
        if (!named) {
          assert.equal(probes.rows.length, expected.rows.length);
          return;
        }
        const [start, end] = expected.probes['data']!;
        for (let r = start; r < end; r++) assert.ok(probes.rows.includes(r), `data row ${r}`);
        assert.ok(probes.rows.length >= expected.rows.length / 3, `${probes.rows.length} of ${expected.rows.length}`);
      });

      it('predict() answers what the library\'s predict() answers (1e-6), one-row probability() the same', () => {
        const rows = encodeRows(runtime, probes.records);
        const outputs = runtime.predict(rows) as RuntimeOutput[];
        assertOutputs(fixture, file, outputs, probes.rows, 'predict()');
        if (runtime.description.task === 'binary') {
          const width = runtime.encoder.width;
          const probability = outputs.find((o) => o.name === 'probability')!.data;
          for (let i = 0; i < rows.rows; i++) assert.equal(runtime.probability!(rows.x, i * width), probability[i]);
        } else {
          assert.equal(runtime.probability, undefined);
        }
      });

      it('explain() gives the library\'s contributions (1e-5), per schema feature then the base value; multi-class models do not explain', () => {
        if (expected.margin[0]!.length > 1) {
          assert.equal(runtime.explain, undefined);
          return;
        }
        const contributions = runtime.explain!(encodeRows(runtime, probes.records)) as { width: number; data: Float64Array };
        assert.equal(contributions.width, runtime.description.schema.features.length + 1);
        assertContributions(fixture, file, contributions.data, contributions.width, probes.rows, 'explain()');
      });

      it('POST /v2/models/<name>/infer answers the same outputs and contributions, one tensor per input', async () => {
        const { app } = await testApp({}, runtime);
        try {
          const features = runtime.description.schema.features;
          const explains = runtime.explain !== undefined;
          const response = await app.inject({
            method: 'POST', url: `/v2/models/${runtime.description.name}/infer`,
            payload: {
              inputs: features.map((f) => ({
                name: f.name, datatype: f.kind === 'numeric' ? 'FP64' : 'BYTES', shape: [probes.records.length], data: probes.records.map((record) => record[f.name]),
              })),
              ...(explains ? { parameters: { explain: true } } : {}),
            },
          });
          assert.equal(response.statusCode, 200, response.body.slice(0, 300));
          const outputs = (response.json() as { outputs: { name: string; shape: number[]; data: (number | boolean)[] }[] }).outputs
            .map((o) => ({ name: o.name, width: o.shape[1] ?? 1, data: Float64Array.from(o.data, Number) }));
          assertOutputs(fixture, file, outputs, probes.rows, 'V2 infer');
          if (explains) {
            const contributions = outputs.find((o) => o.name === 'contributions')!;
            assertContributions(fixture, file, contributions.data, contributions.width, probes.rows, 'V2 infer');
          }
        } finally {
          await app.close();
        }
      });

      it('binary classifiers: POST /predict (one record, explained) and /predict/batch answer the library\'s probability', async (t) => {
        if (runtime.description.task !== 'binary') {
          t.skip(`a ${runtime.description.task} model has no churn probability: /predict is 404 for it`);
          return;
        }
        const { app } = await testApp({}, runtime);
        try {
          const batch = await app.inject({ method: 'POST', url: '/predict/batch', payload: { records: probes.records } });
          assert.equal(batch.statusCode, 200, batch.body.slice(0, 300));
          const results = (batch.json() as { results: { churnProbability: number }[] }).results;
          assertOutputs(fixture, file, [{ name: 'probability', width: 1, data: Float64Array.from(results, (p) => p.churnProbability) }], probes.rows, '/predict/batch');
          const names = runtime.description.schema.features.map((f) => f.name);
          for (const [i, record] of probes.records.entries()) {
            const one = await app.inject({ method: 'POST', url: '/predict?explain=true', payload: record });
            assert.equal(one.statusCode, 200, one.body.slice(0, 300));
            const answer = one.json() as { churnProbability: number; explanation: { baseValue: number; contributions: { feature: string; contribution: number }[] } };
            assertOutputs(fixture, file, [{ name: 'probability', width: 1, data: Float64Array.of(answer.churnProbability) }], [probes.rows[i]!], '/predict');
            const byName = new Map(answer.explanation.contributions.map((c) => [c.feature, c.contribution]));
            const row = [...names.map((n) => byName.get(n)!), answer.explanation.baseValue];
            assertContributions(fixture, file, row, row.length, [probes.rows[i]!], '/predict?explain=true');
          }
        } finally {
          await app.close();
        }
      });
    });
  }

  const records = expected.records;
  if (records !== undefined) {
    describe(`${fixture.directory}/${fixture.name}: records with category names`, () => {
      it('score as the library scored them from a DataFrame; an unseen name and a missing category are refused with their paths', async () => {
        const runtime = await openModel(fixtureFile(fixture, expected.models[0]!));
        const valid = records.rows.slice(0, 4);
        const outputs = runtime.predict(encodeRows(runtime, valid)) as RuntimeOutput[];
        const output = outputs.find((o) => o.name === 'probability')!;
        const want = records.prediction.slice(0, 4).flat();
        want.forEach((p, i) => assert.ok(close(output.data[i]!, p, 1e-6), `record ${i}: ${output.data[i]} vs ${p}`));
        // pandas makes both NaN before the library sees them; the schema refuses them instead of guessing.
        const unseen = records.rows.findIndex((r) => Object.values(r).includes('Carrier pigeon'));
        const missing = records.rows.findIndex((r) => Object.values(r).includes(null));
        assert.throws(() => encodeRows(runtime, [records.rows[unseen], records.rows[missing]]), (e: unknown) => {
          assert.ok(e instanceof ChurnError && e.code === 'INVALID_RECORD');
          assert.deepEqual(e.details.map((d) => [d.path.split('/')[1], d.reason]), [['0', 'category'], ['1', 'required']]);
          return true;
        });
      });
    });
  }
}

describe('values a tree runtime refuses or takes, as the library does', () => {
  it('XGBoost refuses a number beyond float32 (INVALID_RECORD, range) and takes the largest that rounds to FLT_MAX; LightGBM reads doubles', async () => {
    const xgboost = await openModel(fixtureFile(allFixtures().find((f) => f.directory === 'xgboost-2.1.4' && f.name === 'binary-logistic-depth3')!, 'binary-logistic-depth3.json'));
    const lightgbm = await openModel(fixtureFile(allFixtures().find((f) => f.name === 'binary-numeric')!, 'binary-numeric.txt'));
    const record = (runtime: ModelRuntime, tenure: number) => Object.fromEntries(runtime.description.schema.features.map((f) => [f.name, f.name === 'tenure' ? tenure : 0]));
    assert.throws(() => encodeRows(xgboost, [record(xgboost, 1e39)]), (e: unknown) => e instanceof ChurnError && e.details[0]?.path === '/0/tenure' && e.details[0].reason === 'range');
    assert.throws(() => encodeRows(xgboost, [record(xgboost, 3.4028235677973366e38)]), (e: unknown) => e instanceof ChurnError && e.details[0]?.reason === 'range');
    const largest = 3.4028235677973362e38;
    assert.equal(Math.fround(largest), 3.4028234663852886e38);
    const [p1] = xgboost.predict(encodeRows(xgboost, [record(xgboost, largest)])) as RuntimeOutput[];
    const [p2] = xgboost.predict(encodeRows(xgboost, [record(xgboost, 3.4028234663852886e38)])) as RuntimeOutput[];
    assert.deepEqual(p1!.data, p2!.data);
    const [p3] = lightgbm.predict(encodeRows(lightgbm, [record(lightgbm, 1e39)])) as RuntimeOutput[];
    assert.ok(Number.isFinite(p3!.data[0]));
    assert.throws(() => encodeRows(lightgbm, [{ ...record(lightgbm, 1), tenure: 'long' }]), (e: unknown) => e instanceof ChurnError && e.details[0]?.reason === 'type');
  });

  it('does not change the encoded rows it is given', async () => {
    const fixture = allFixtures().find((f) => f.name === 'regression-zero-as-missing')!;
    const runtime = await openModel(fixtureFile(fixture, fixture.expected.models[0]!));
    const probes = probeRecords(fixture.expected, runtime.description.schema.features);
    const rows = encodeRows(runtime, probes.records);
    const before = rows.x.slice();
    runtime.predict(rows);
    runtime.explain!(rows);
    assert.deepEqual(rows.x, before);
  });
});
