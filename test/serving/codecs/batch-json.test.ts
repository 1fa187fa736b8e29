import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NativeRuntime } from '../../../src/runtimes/native-runtime.js';
import { encodeBatchJson } from '../../../src/serving/codecs/batch-json.js';
import { DataPlane } from '../../../src/serving/data-plane.js';
import type { BatchOutcome } from '../../../src/serving/predictions.js';
import { dataRecords } from '../../helpers/fixtures.js';
import { bundledModel } from '../../server/app-harness.js';

const plane = new DataPlane(new NativeRuntime(bundledModel()), { maxBatchSize: 1000 });
const records = dataRecords();

function answer(batch: readonly unknown[], explain = false): BatchOutcome {
  const outcome = plane.predictJsonBatch(Buffer.from(JSON.stringify({ records: batch })), { explain }, 'rest');
  assert.ok(!(outcome instanceof Promise));
  return outcome;
}

/** The encoder's text is JSON.stringify's, byte for byte. */
function same(outcome: BatchOutcome): void {
  assert.equal(encodeBatchJson(outcome), JSON.stringify(outcome));
}

describe('encodeBatchJson writes what JSON.stringify writes', () => {
  test('the data plane\'s answers: scored records with and without ids, refused ones, explanations, none', () => {
    same(answer(records.slice(0, 500)));
    same(answer(records.slice(0, 50).map(({ customerID: _, ...rest }) => rest)));
    same(answer([{ ...records[0], tenure: -1 }, records[1], { customerID: 'x', Contract: 'Weekly' }, 'not a record', null, records[2]]));
    same(answer(records.slice(0, 5), true));
    same(answer([]));
  });

  test('ids that JSON must escape, lone surrogates included', () => {
    const ids = ['quote " and backslash \\', 'tab\tnew\nline', 'é ☃ 𝄞', '\u0000\u001f', 'lone \ud800 high', 'lone \udc00 low', '</script>'];
    same(answer(ids.map((customerID, i) => ({ ...records[i], customerID }))));
  });

  test('numbers at their edges: not finite, negative zero, long fractions', () => {
    const outcome = answer(records.slice(0, 6));
    const probabilities = [Number.NaN, Number.POSITIVE_INFINITY, -0, 0.1 + 0.2, 5e-324, 1];
    outcome.results.forEach((result, i) => {
      if ('churnProbability' in result) result.churnProbability = probabilities[i]!;
    });
    same(outcome);
    same({ ...outcome, threshold: 0.30000000000000004 });
    same({ ...outcome, threshold: Number.NaN });
  });
});
