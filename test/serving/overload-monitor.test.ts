import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OverloadMonitor } from '../../src/serving/overload-monitor.js';

/** A monitor past its arming windows, with a random source the test controls. */
function armed(maxDelayMs: number, draw: () => number = () => 0.5): OverloadMonitor {
  const monitor = new OverloadMonitor(maxDelayMs, draw);
  for (let i = 0; i < 5; i++) monitor.observe(1000);
  assert.equal(monitor.share, 0, 'start-up windows are not counted');
  return monitor;
}

describe('OverloadMonitor', () => {
  test('the share of refused calls grows while the delay is over the limit, and never reaches all of them', () => {
    const monitor = armed(50);
    const shares: number[] = [];
    for (let i = 0; i < 30; i++) {
      monitor.observe(80);
      shares.push(monitor.share);
    }
    assert.equal(shares[0], 0, 'the first window over the limit refuses nothing yet');
    assert.ok(shares.every((share, i) => i < 2 || share > shares[i - 1]! || share === 0.98), JSON.stringify(shares));
    assert.ok(shares[1]! > 0 && shares[1]! < 0.5, 'the second window in a row refuses a part, not everything');
    assert.equal(shares.at(-1), 0.98);
    assert.equal(monitor.overloaded, true, 'readiness fails while over the limit');
  });

  test('one window over the limit between quiet ones (a collection, the host pausing the process) refuses nothing', () => {
    const monitor = armed(50);
    for (const delay of [5, 900, 5, 5, 700, 3, 400]) {
      monitor.observe(delay);
      assert.equal(monitor.share, 0, `after a window of ${delay} ms`);
      assert.equal(monitor.overloaded, false, `readiness holds after a window of ${delay} ms`);
    }
    monitor.observe(80);
    assert.ok(monitor.share > 0, 'a stall the next window continues is load');
    assert.equal(monitor.overloaded, true);
  });

  test('it holds between half the limit and the limit, and shrinks below half of it', () => {
    const monitor = armed(50);
    for (let i = 0; i < 3; i++) monitor.observe(80);
    const held = monitor.share;
    monitor.observe(40);
    assert.equal(monitor.share, held);
    assert.equal(monitor.overloaded, false);
    for (let i = 0; i < 100; i++) monitor.observe(5);
    assert.equal(monitor.share, 0);
  });

  test('shed() refuses when the draw is under the share', () => {
    let next = 0;
    const monitor = armed(50, () => next);
    assert.equal(monitor.shed(), false, 'nothing is refused at share 0');
    monitor.observe(80);
    monitor.observe(80);
    next = monitor.share - 0.01;
    assert.equal(monitor.shed(), true);
    next = monitor.share + 0.01;
    assert.equal(monitor.shed(), false);
  });

  test('a limit of 0 turns shedding off', () => {
    const monitor = new OverloadMonitor(0);
    monitor.start();
    monitor.stop();
    assert.equal(monitor.shed(), false);
  });
});
