import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ChurnError } from '../../src/errors.js';
import type { ModelRuntime } from '../../src/runtimes/model-runtime.js';
import { encodeRows } from '../helpers/runtime-records.js';

export interface ContractCase {
  /** Opens a fresh runtime (the contract closes it). */
  open: () => Promise<ModelRuntime>;
  /** At least three valid records. */
  valid: readonly unknown[];
  /** A record with one invalid field. */
  invalid: unknown;
  /**
   * Whether a multi-class probability row sums to 1 (default). LightGBM's one-vs-all models give each class its
   * own sigmoid, which need not: the runtime answers what the library's predict() does.
   */
  probabilitiesSumToOne?: boolean;
}

async function withRuntime(c: ContractCase, body: (runtime: ModelRuntime) => Promise<void>): Promise<void> {
  const runtime = await c.open();
  try {
    await body(runtime);
  } finally {
    await runtime.close();
  }
}

/** The behaviour every runtime promises, whatever evaluates the model. Registers its tests in the current suite. */
export function runtimeContract(c: ContractCase): void {
  it('describes itself: a name, a version, a schema of distinct features its encoder compiles, at least one output', () => withRuntime(c, async (runtime) => {
    const d = runtime.description;
    assert.ok(d.name.length > 0 && d.version.length > 0);
    assert.ok(d.schema.features.length > 0);
    assert.equal(new Set(d.schema.features.map((f) => f.name)).size, d.schema.features.length);
    assert.equal(runtime.encoder.schema, d.schema);
    assert.ok(d.outputs.length > 0);
    if (d.task === 'binary') assert.ok(d.positiveProbability !== undefined && d.outputs.some((o) => o.name === d.positiveProbability!.output));
  }));

  it('returns exactly the described outputs, one row per record, with valid values', () => withRuntime(c, async (runtime) => {
    const outputs = await runtime.predict(encodeRows(runtime, c.valid));
    const d = runtime.description;
    assert.deepEqual(outputs.map((o) => [o.name, o.datatype, o.width]), d.outputs.map((o) => [o.name, o.datatype, o.width]));
    for (const output of outputs) {
      assert.equal(output.data.length, c.valid.length * output.width, output.name);
      for (const v of output.data) assert.ok(Number.isFinite(v), `${output.name} holds ${v}`);
      if (output.datatype !== 'FP64') for (const v of output.data) assert.ok(Number.isInteger(v));
      if (output.datatype === 'BOOL') for (const v of output.data) assert.ok(v === 0 || v === 1);
      if (output.name === d.positiveProbability?.output || output.name === 'probability') {
        for (const v of output.data) assert.ok(v >= 0 && v <= 1);
        if (output.width > 1 && c.probabilitiesSumToOne !== false) {
          for (let r = 0; r < c.valid.length; r++) {
            const row = output.data.subarray(r * output.width, (r + 1) * output.width);
            assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
          }
        }
      }
    }
  }));

  it('scores each record independently of its batch, deterministically, and an empty batch to empty outputs', () => withRuntime(c, async (runtime) => {
    const batch = await runtime.predict(encodeRows(runtime, c.valid));
    for (let r = 0; r < c.valid.length; r++) {
      const single = await runtime.predict(encodeRows(runtime, [c.valid[r]]));
      for (let o = 0; o < batch.length; o++) {
        const w = batch[o]!.width;
        assert.deepEqual([...single[o]!.data], [...batch[o]!.data.subarray(r * w, (r + 1) * w)]);
      }
    }
    assert.deepEqual(await runtime.predict(encodeRows(runtime, c.valid)), batch);
    for (const output of await runtime.predict(encodeRows(runtime, []))) assert.equal(output.data.length, 0);
  }));

  it('scores one row without allocating, when it offers to, exactly as predict does', (t) => withRuntime(c, async (runtime) => {
    if (runtime.probability === undefined) {
      t.skip(`the ${runtime.description.format} ${runtime.description.task} runtime has no one-row probability`);
      return;
    }
    const rows = encodeRows(runtime, c.valid);
    const outputs = await runtime.predict(encodeRows(runtime, c.valid));
    const { output, column } = runtime.description.positiveProbability!;
    const probabilities = outputs.find((o) => o.name === output)!;
    for (let r = 0; r < rows.rows; r++) {
      assert.equal(runtime.probability(rows.x, r * runtime.encoder.width), probabilities.data[r * probabilities.width + column]);
    }
  }));

  it('explains, when it can, with one row of features + 1 finite values per record that add up to the margin', (t) => withRuntime(c, async (runtime) => {
    if (runtime.explain === undefined) {
      t.skip(`the ${runtime.description.format} ${runtime.description.task} runtime cannot explain`);
      return;
    }
    const contributions = await runtime.explain(encodeRows(runtime, c.valid));
    assert.equal(contributions.width, runtime.description.schema.features.length + 1);
    assert.equal(contributions.data.length, c.valid.length * contributions.width);
    for (const v of contributions.data) assert.ok(Number.isFinite(v));
  }));

  it('its encoder refuses an invalid record: INVALID_RECORD naming the record index and field', () => withRuntime(c, async (runtime) => {
    assert.throws(() => encodeRows(runtime, [c.valid[0], c.invalid]), (error: unknown) => {
      assert.ok(error instanceof ChurnError);
      assert.equal(error.code, 'INVALID_RECORD');
      assert.ok(error.details.length > 0 && error.details.every((d) => d.path.startsWith('/1/')), JSON.stringify(error.details));
      return true;
    });
  }));
}
