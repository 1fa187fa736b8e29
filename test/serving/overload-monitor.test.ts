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
    assert.ok(shares.every((share, i) => i === 0 || share > shares[i - 1]! || share === 0.98), JSON.stringify(shares));
    assert.ok(shares[0]! > 0 && shares[0]! < 0.5, 'one window over the limit refuses a part, not everything');
    assert.equal(shares.at(-1), 0.98);
    assert.equal(monitor.overloaded, true, 'readiness fails while over the limit');
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
