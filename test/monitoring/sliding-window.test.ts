import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordWindow } from '../../src/monitoring/sliding-window.js';
import { SeededRandom } from '../../src/foundation/seeded-random.js';

describe('RecordWindow', () => {
  it('totals, records and score sum are those of the last N records, read at any point: filling, full, wrapping', () => {
    const slots = 40;
    const stride = 3;
    const size = 7;
    const window = new RecordWindow(slots, stride, size);
    const random = new SeededRandom(11);
    const added: { slots: number[]; score: number }[] = [];
    for (let n = 1; n <= 40; n++) {
      const record = Array.from({ length: stride }, () => Math.floor(random.next() * slots));
      const score = random.next();
      // At an offset inside a larger array, as the monitor's batch path hands them.
      const source = new Uint16Array(stride + 5);
      source.set(record, 5);
      window.add(source, 5, score);
      added.push({ slots: record, score });
      // Read after some adds only, so totals are counted both after one add and after several.
      if (n % 3 !== 0 && n !== 40) continue;
      const last = added.slice(-size);
      const expected = new Int32Array(slots);
      for (const r of last) for (const s of r.slots) expected[s]!++;
      assert.deepEqual(window.totals, expected, `after ${n} records`);
      assert.equal(window.records, last.length);
      assert.ok(Math.abs(window.scoreSum - last.reduce((sum, r) => sum + r.score, 0)) < 1e-12);
      // A second read without an add in between gives the same.
      assert.deepEqual(window.totals, expected);
    }
  });
});
