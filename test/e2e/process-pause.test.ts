import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { runLoadTest } from '../../src/loadtest/load-test.js';
import { Replica } from './harness/replica.js';
import { reportFigures } from './harness/scenario-figures.js';

/** Stops the process for `ms` (SIGSTOP, SIGCONT), as a busy host or a container's exhausted CPU quota does. */
async function pause(replica: Replica, ms: number): Promise<void> {
  replica.process.kill('SIGSTOP');
  try {
    await sleep(ms);
  } finally {
    replica.process.kill('SIGCONT');
  }
}

/**
 * Light, steady traffic (400/s, a few percent of one core) through pauses of the whole process. A pause holds every
 * request back, and the event loop's delay reads as long as the pause once the process runs again; but the backlog
 * is cleared within milliseconds, and refusing calls then would fail requests for nothing. Only a delay that lasts
 * is overload (src/serving/overload-monitor.ts), which the second half checks the server still sees.
 */
describe('pauses of the whole process (a busy host, CPU throttling)', { timeout: 60_000 }, () => {
  it('a pause alone refuses nothing, once the process runs again; pauses that keep coming are overload', async (t) => {
    const replica = await Replica.start();
    try {
      await replica.waitReady();
      const isolated = runLoadTest({ url: replica.url, profile: 'constant:400', durationSeconds: 9, connections: 8 });
      for (const ms of [300, 600, 1000]) {
        await sleep(2000);
        await pause(replica, ms);
      }
      const report = await isolated;
      reportFigures(t, 'pauses of 0.3, 0.6 and 1 s, 2 s apart', report);
      assert.deepEqual(Object.keys(report.statuses).filter((s) => !s.startsWith('2')), [], 'no request is refused for a pause that has passed');
      assert.equal(report.requests.failed, 0, JSON.stringify(report.errors.byKind));
      assert.ok(report.requests.ok > 3000, `only ${report.requests.ok} requests answered`);

      // The control: the process runs 20 ms in every 270 for 2 s, so the delay stays over the limit window after window.
      const throttled = runLoadTest({ url: replica.url, profile: 'constant:400', durationSeconds: 4, connections: 8 });
      await sleep(500);
      const end = performance.now() + 2000;
      while (performance.now() < end) {
        await pause(replica, 250);
        await sleep(20);
      }
      const control = await throttled;
      reportFigures(t, 'paused 250 ms in every 270 for 2 s', control);
      assert.ok((control.statuses['503'] ?? 0) > 0, `a delay that lasts is shed: ${JSON.stringify(control.statuses)}`);
      assert.equal(replica.process.exitCode, null, 'the server is still running');
    } finally {
      replica.process.kill('SIGCONT');
      await replica.stop();
    }
  });
});
