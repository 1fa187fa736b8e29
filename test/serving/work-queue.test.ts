import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { WorkQueue } from '../../src/serving/work-queue.js';

/** A clock the test moves: each call "takes" the time it adds. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1000;
  return { now: () => time, advance: (ms) => { time += ms; } };
}

describe('WorkQueue', () => {
  test('calls run at once while the turn has time left, and in arrival order in later turns once it is spent', async () => {
    const time = clock();
    const queue = new WorkQueue(50, 5, time.now);
    const ran: number[] = [];
    const call = (id: number, ms: number) => ({ run: () => { ran.push(id); time.advance(ms); }, expire: () => assert.fail(`call ${id} expired`) });
    queue.submit(call(1, 1));
    queue.submit(call(2, 1));
    assert.deepEqual(ran, [1, 2], 'inside the slice, calls run in submit()');
    queue.submit(call(3, 4)); // 2 ms spent: runs, and the turn is then spent
    queue.submit(call(4, 4));
    queue.submit(call(5, 4));
    assert.deepEqual(ran, [1, 2, 3]);
    assert.equal(queue.length, 2);
    await nextTurn();
    assert.deepEqual(ran, [1, 2, 3, 4, 5], 'the next turn runs the waiting calls, first come first served');
    assert.equal(queue.length, 0);
  });

  test('a call submitted while others wait queues behind them even when the turn has time', async () => {
    const time = clock();
    const queue = new WorkQueue(50, 5, time.now);
    const ran: string[] = [];
    queue.submit({ run: () => { ran.push('long'); time.advance(10); }, expire: () => undefined });
    queue.submit({ run: () => { ran.push('waiting'); time.advance(1); }, expire: () => undefined });
    await nextTurn();
    // The next turn ran 'waiting'; a call submitted now (its turn has 4 ms left) goes after nothing and runs.
    queue.submit({ run: () => { ran.push('after'); }, expire: () => undefined });
    assert.deepEqual(ran, ['long', 'waiting', 'after']);
  });

  test('a turn runs waiting calls only until its slice is spent, so the loop keeps turning', async () => {
    const time = clock();
    const queue = new WorkQueue(0, 5, time.now);
    let ran = 0;
    for (let i = 0; i < 10; i++) queue.submit({ run: () => { ran++; time.advance(3); }, expire: () => undefined });
    assert.equal(ran, 2, 'two 3 ms calls spend the first 5 ms slice');
    await nextTurn();
    assert.equal(ran, 4);
    await nextTurn();
    assert.equal(ran, 6);
  });

  test('the expected wait is the calls waiting times the mean time of a call; over the bound the queue is saturated', () => {
    const time = clock();
    const queue = new WorkQueue(20, 5, time.now);
    for (let i = 0; i < 6; i++) queue.submit({ run: () => time.advance(10), expire: () => undefined });
    assert.equal(queue.length, 5);
    assert.equal(queue.expectedWaitMs, 50);
    assert.equal(queue.saturated, true);
    assert.equal(new WorkQueue(0, 5, time.now).saturated, false, 'a bound of 0 never saturates');
  });

  test('a call that waited past 1.5 times the bound expires at the head of the queue, without running', async () => {
    const time = clock();
    const queue = new WorkQueue(20, 5, time.now);
    const outcome: string[] = [];
    queue.submit({ run: () => time.advance(10), expire: () => outcome.push('first expired') });
    queue.submit({ run: () => outcome.push('ran'), expire: (waited) => outcome.push(`expired after ${waited} ms`) });
    queue.submit({ run: () => outcome.push('ran'), expire: (waited) => outcome.push(`expired after ${waited} ms`) });
    time.advance(31); // the two waiting calls have now waited 31 ms > 1.5 x 20
    await nextTurn();
    assert.deepEqual(outcome, ['expired after 31 ms', 'expired after 31 ms']);
    assert.equal(queue.expired, 2);
    assert.equal(queue.length, 0);
  });

  test('with no bound, calls wait as long as it takes and still run', async () => {
    const time = clock();
    const queue = new WorkQueue(0, 5, time.now);
    let ran = 0;
    queue.submit({ run: () => { ran++; time.advance(10); }, expire: () => assert.fail('expired') });
    queue.submit({ run: () => { ran++; }, expire: () => assert.fail('expired') });
    time.advance(60_000);
    await nextTurn();
    assert.equal(ran, 2);
  });
});
