import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { randomUuid } from '../../src/foundation/random-uuid.js';

const VERSION_4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('ids have the form of crypto.randomUUID: version 4, variant 10, lowercase', () => {
  assert.match(randomUUID(), VERSION_4, 'the pattern itself accepts Node\'s own');
  for (let i = 0; i < 1000; i++) assert.match(randomUuid(), VERSION_4);
});

test('ids do not repeat across many refills of the random bytes, and every random digit takes every value evenly', () => {
  const count = 20_000;
  const seen = new Set<string>();
  // Per character position, how often each hex digit came up.
  const tallies = Array.from({ length: 36 }, () => new Map<string, number>());
  for (let i = 0; i < count; i++) {
    const id = randomUuid();
    seen.add(id);
    for (let p = 0; p < 36; p++) tallies[p]!.set(id[p]!, (tallies[p]!.get(id[p]!) ?? 0) + 1);
  }
  assert.equal(seen.size, count);
  for (let p = 0; p < 36; p++) {
    const tally = tallies[p]!;
    if ([8, 13, 18, 23].includes(p)) assert.deepEqual([...tally], [['-', count]]);
    else if (p === 14) assert.deepEqual([...tally], [['4', count]]);
    else {
      // 16 digits, or the variant's 4 (8, 9, a, b); each within 20 % of its share (about 9 standard deviations).
      const digits = p === 19 ? 4 : 16;
      assert.equal(tally.size, digits, `position ${p}: ${[...tally.keys()].sort().join('')}`);
      for (const [digit, n] of tally) assert.ok(Math.abs(n - count / digits) < 0.2 * (count / digits), `position ${p}, digit ${digit}: ${n}`);
    }
  }
});
