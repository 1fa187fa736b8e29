import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alternate, atOnce, typical, type LoadResult } from '../../bench/load-targets.js';

function run(requestsPerSecond: number, total: number, cpuMicrosPerRequest: number, extra: Partial<LoadResult> = {}): LoadResult {
  return {
    requestsPerSecond, okPerSecond: requestsPerSecond, cpuMicrosPerRequest, systemMicrosPerRequest: cpuMicrosPerRequest / 4,
    p50Ms: 1, p99Ms: 5, non2xx: 0, errors: 0, total, stolenPercent: 0, ...extra,
  };
}

test('typical() takes the median second, not the best, and CPU over the whole count', () => {
  const runs = [
    run(20_000, 20_000, 50, { p99Ms: 9, stolenPercent: 0.5, non2xx: 2 }),
    run(35_000, 35_000, 30, { p99Ms: 4, stolenPercent: 3, errors: 1 }),
    run(25_000, 25_000, 40, { p99Ms: 6, stolenPercent: 1 }),
  ];
  const taken = typical(runs);
  assert.equal(taken.requestsPerSecond, 25_000);
  assert.equal(taken.okPerSecond, 25_000);
  assert.equal(taken.p99Ms, 6);
  // (20,000 × 50 + 35,000 × 30 + 25,000 × 40) µs over 80,000 requests, not the mean of the three figures (40).
  assert.equal(taken.cpuMicrosPerRequest, (1_000_000 + 1_050_000 + 1_000_000) / 80_000);
  assert.equal(taken.systemMicrosPerRequest, taken.cpuMicrosPerRequest / 4);
  assert.equal(taken.total, 80_000);
  assert.equal(taken.non2xx, 2);
  assert.equal(taken.errors, 1);
  assert.equal(taken.stolenPercent, 3);
});

test('typical() of an even number of runs takes the middle two', () => {
  assert.equal(typical([run(10, 10, 1), run(40, 10, 1), run(20, 10, 1), run(30, 10, 1)]).requestsPerSecond, 25);
});

test('alternate() serves every item once a cycle, each cycle starting one item later', async () => {
  const order: string[] = [];
  const results = await alternate(['a', 'b', 'c'], 4, async (item, cycle) => {
    order.push(item);
    return `${item}${cycle}`;
  });
  assert.deepEqual(order, ['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b', 'a', 'b', 'c']);
  assert.deepEqual([...results], [['a', ['a0', 'a1', 'a2', 'a3']], ['b', ['b0', 'b1', 'b2', 'b3']], ['c', ['c0', 'c1', 'c2', 'c3']]]);
});

test('alternate() waits for each run before the next, so no two share the machine', async () => {
  let running = 0;
  let most = 0;
  await alternate([1, 2], 3, async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running--;
  });
  assert.equal(most, 1);
});

test('atOnce() starts the side it is told to first and answers a\'s result, then b\'s, either way', async () => {
  for (const aFirst of [true, false]) {
    const started: string[] = [];
    const side = (name: string) => async (): Promise<string> => { started.push(name); return name; };
    assert.deepEqual(await atOnce(side('a'), side('b'), aFirst), ['a', 'b']);
    assert.deepEqual(started, aFirst ? ['a', 'b'] : ['b', 'a']);
  }
});
