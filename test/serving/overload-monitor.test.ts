import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OverloadMonitor } from '../../src/serving/overload-monitor.js';

/** Polls `condition` every few ms (the loop stays free between polls) until it holds or `ms` pass. */
async function eventually(condition: () => boolean, ms: number, between?: () => void): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    between?.();
    await sleep(5);
    if (condition()) return true;
  }
  return false;
}

test('reports overload while the event loop is blocked, and recovers when it is free; never before it is armed', async () => {
  const monitor = new OverloadMonitor(20);
  assert.equal(monitor.overloaded, false, 'not armed before start');
  monitor.start();
  try {
    // Blocking in 250 ms slices puts a long delay in every 200 ms sampling window.
    const block = () => { const until = Date.now() + 250; while (Date.now() < until) { /* busy */ } };
    assert.ok(await eventually(() => monitor.overloaded, 6000, block), 'overload seen');
    assert.ok(monitor.delayMs > 20);
    assert.ok(await eventually(() => !monitor.overloaded, 6000), 'recovered');
  } finally {
    monitor.stop();
  }
});

test('a limit of 0 never reports overload and starts no timer', async () => {
  const monitor = new OverloadMonitor(0);
  monitor.start();
  const until = Date.now() + 300;
  while (Date.now() < until) { /* busy */ }
  await sleep(250);
  assert.equal(monitor.overloaded, false);
  monitor.stop();
});
