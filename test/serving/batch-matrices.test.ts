import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EncodedRows, ModelRuntime, RuntimeOutput } from '../../src/runtimes/model-runtime.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { DataPlane } from '../../src/serving/data-plane.js';
import type { BatchOutcome } from '../../src/serving/predictions.js';
import { capturingPlane } from '../helpers/batch-paths.js';
import { dataRecords } from '../helpers/fixtures.js';
import { bundledModel } from '../server/app-harness.js';

const body = (records: readonly unknown[]): Buffer => Buffer.from(JSON.stringify({ records }));
const csvOf = (records: readonly Record<string, unknown>[]): Buffer => {
  const columns = Object.keys(records[0]!);
  return Buffer.from(`${columns.join(',')}\n${records.map((r) => columns.map((c) => String(r[c])).join(',')).join('\n')}\n`);
};

/** The rows the runtime is given for a JSON or CSV body by a plane that has scored nothing before. */
function freshRows(format: 'json' | 'csv', bytes: Buffer): number[] {
  const { plane, scored } = capturingPlane(1000);
  if (format === 'json') plane.predictJsonBatch(bytes, {}, 'rest');
  else plane.predictCsvBatch(bytes, {}, 'rest');
  return scored[0]!.x;
}

describe('batch matrices kept between batches', () => {
  const records = dataRecords();

  test('a batch decoded into an earlier batch\'s matrix sees none of its numbers (JSON and CSV)', () => {
    const { plane, scored } = capturingPlane(1000);
    const buffers: ArrayBufferLike[] = [];
    const seen = plane.runtime.predict.bind(plane.runtime);
    // Every category of every feature, and missing values, in the batch before: a stale one-hot or number would show.
    const before = records.slice(0, 400);
    const after = records.slice(400, 700);
    const spy: ModelRuntime = plane.runtime;
    spy.predict = (rows: EncodedRows) => {
      buffers.push(rows.x.buffer);
      return seen(rows);
    };
    plane.predictJsonBatch(body(before), {}, 'rest');
    plane.predictJsonBatch(body(after), {}, 'rest');
    assert.ok(buffers[1] === buffers[0], 'the second batch reused the first one\'s matrix');
    assert.deepEqual(scored[1]!.x, freshRows('json', body(after)));
    plane.predictCsvBatch(csvOf(before), {}, 'rest');
    plane.predictCsvBatch(csvOf(after), {}, 'rest');
    assert.ok(buffers[3] === buffers[0], 'and so did the CSV batches');
    assert.deepEqual(scored[3]!.x, freshRows('csv', csvOf(after)));
  });

  test('an asynchronous runtime\'s matrix is not handed to another batch until its answer is settled', async () => {
    const native = new NativeRuntime(bundledModel());
    const waiting: (() => void)[] = [];
    const buffers: ArrayBufferLike[] = [];
    const runtime: ModelRuntime = {
      description: native.description,
      encoder: native.encoder,
      // Reads the rows only when let go: by then other batches have been decoded.
      predict: (rows: EncodedRows) => {
        buffers.push(rows.x.buffer);
        return new Promise<RuntimeOutput[]>((resolve) => { waiting.push(() => resolve(native.predict(rows))); });
      },
      close: () => native.close(),
    };
    const plane = new DataPlane(runtime, { maxBatchSize: 1000 });
    const first = records.slice(0, 300);
    const second = records.slice(300, 600);
    const answers = [plane.predictJsonBatch(body(first), {}, 'rest'), plane.predictJsonBatch(body(second), {}, 'rest')] as Promise<BatchOutcome>[];
    assert.notEqual(buffers[1], buffers[0], 'two batches in flight, two matrices');
    for (const resolve of waiting.splice(0)) resolve();
    const [a, b] = await Promise.all(answers);
    const reference = capturingPlane(1000).plane;
    assert.deepEqual(a, reference.predictJsonBatch(body(first), {}, 'rest'));
    assert.deepEqual(b, reference.predictJsonBatch(body(second), {}, 'rest'));
    const third = plane.predictJsonBatch(body(second), {}, 'rest') as Promise<BatchOutcome>;
    assert.ok(buffers[2] === buffers[0] || buffers[2] === buffers[1], 'settled: a matrix is reused');
    waiting.splice(0)[0]!();
    assert.deepEqual(await third, b);
  });
});
