import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ChurnError } from '../../../src/errors.js';
import type { ModelRuntime } from '../../../src/model/runtimes/model-runtime.js';

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

/** The behaviour every runtime promises, whatever evaluates the model. Registers its tests in the current suite. */
export function runtimeContract(c: ContractCase): void {
  it('describes itself: a name, a version, distinct input names, at least one output', async () => {
    const runtime = await c.open();
    try {
      const d = runtime.description;
      assert.ok(d.name.length > 0 && d.version.length > 0);
      assert.ok(d.inputs.length > 0);
      assert.equal(new Set(d.inputs.map((i) => i.name)).size, d.inputs.length);
      assert.ok(d.outputs.length > 0);
      for (const input of d.inputs) if (input.categories !== undefined) assert.ok(input.type === 'category' && input.categories.length > 0);
    } finally {
      await runtime.close();
    }
  });

  it('returns exactly the described outputs, one row per record, with valid values', async () => {
    const runtime = await c.open();
    try {
      const outputs = await runtime.predict(c.valid);
      const d = runtime.description;
      assert.deepEqual(outputs.map((o) => [o.name, o.datatype, o.width]), d.outputs.map((o) => [o.name, o.datatype, o.width]));
      for (const output of outputs) {
        assert.equal(output.data.length, c.valid.length * output.width, output.name);
        for (const v of output.data) assert.ok(Number.isFinite(v), `${output.name} holds ${v}`);
        if (output.datatype !== 'FP64') for (const v of output.data) assert.ok(Number.isInteger(v));
        if (output.datatype === 'BOOL') for (const v of output.data) assert.ok(v === 0 || v === 1);
        if (output.name === 'probability') {
          for (const v of output.data) assert.ok(v >= 0 && v <= 1);
          if (output.width > 1 && c.probabilitiesSumToOne !== false) {
            for (let r = 0; r < c.valid.length; r++) {
              const row = output.data.subarray(r * output.width, (r + 1) * output.width);
              assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-9);
            }
          }
        }
      }
    } finally {
      await runtime.close();
    }
  });

  it('scores each record independently of its batch, deterministically, and an empty batch to empty outputs', async () => {
    const runtime = await c.open();
    try {
      const batch = await runtime.predict(c.valid);
      for (let r = 0; r < c.valid.length; r++) {
        const single = await runtime.predict([c.valid[r]]);
        for (let o = 0; o < batch.length; o++) {
          const w = batch[o]!.width;
          assert.deepEqual([...single[o]!.data], [...batch[o]!.data.subarray(r * w, (r + 1) * w)]);
        }
      }
      assert.deepEqual(await runtime.predict(c.valid), batch);
      for (const output of await runtime.predict([])) assert.equal(output.data.length, 0);
    } finally {
      await runtime.close();
    }
  });

  it('explains, when it can, with one row of inputs + 1 finite values per record', async () => {
    const runtime = await c.open();
    try {
      if (runtime.explain === undefined) return;
      const contributions = await runtime.explain(c.valid);
      assert.equal(contributions.name, 'contributions');
      assert.equal(contributions.width, runtime.description.inputs.length + 1);
      assert.equal(contributions.data.length, c.valid.length * contributions.width);
      for (const v of contributions.data) assert.ok(Number.isFinite(v));
      await assert.rejects(runtime.explain([c.valid[0], c.invalid]), (e: unknown) => e instanceof ChurnError && e.code === 'INVALID_RECORD');
    } finally {
      await runtime.close();
    }
  });

  it('rejects a batch with an invalid record: INVALID_RECORD naming the record index and field', async () => {
    const runtime = await c.open();
    try {
      await assert.rejects(runtime.predict([c.valid[0], c.invalid]), (error: unknown) => {
        assert.ok(error instanceof ChurnError);
        assert.equal(error.code, 'INVALID_RECORD');
        assert.ok(error.details.length > 0 && error.details.every((d) => d.path.startsWith('/1/')), JSON.stringify(error.details));
        return true;
      });
    } finally {
      await runtime.close();
    }
  });
}
