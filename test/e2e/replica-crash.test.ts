import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { runLoadTest } from '../../src/loadtest/load-test.js';
import { clusterTimings, Cluster, requireHaproxy } from './harness/cluster.js';
import { reportFigures } from './harness/scenario-figures.js';

const rate = 500;
const killAt = 3;
const connections = 16;

describe('a replica killed with SIGKILL under load', { timeout: 90_000 }, () => {
  it('fails requests only within the detection window, then recovers fully', async (t) => {
    if (!requireHaproxy(t)) return;
    const cluster = await Cluster.start(3);
    try {
      const controller = new AbortController();
      const load = runLoadTest({
        url: cluster.url, profile: `constant:${rate}`, durationSeconds: 60, connections,
        timelineIntervalSeconds: 0.5, signal: controller.signal,
      });
      await sleep(killAt * 1000);
      const victim = cluster.replicas[0]!;
      victim.signal('SIGKILL');
      // The Deployment controller replaces the pod; its endpoint is added once it is ready.
      await sleep(2000);
      await cluster.balancer.remove(victim.port);
      cluster.replicas.splice(0, 1);
      await cluster.scaleUp();
      await sleep(4000);
      controller.abort();
      const report = await load;

      // Detection window: the balancer's readiness check interval (fall 1), plus one interval of slack for
      // check scheduling. Only connections opened inside it, or in flight on the victim, can fail.
      const detectionSeconds = (2 * clusterTimings.checkIntervalMs) / 1000;
      const bound = Math.ceil(rate * detectionSeconds) + connections;
      const failedAfterWindow = report.timeline.points
        .filter((p) => p.t >= killAt + detectionSeconds + 0.5)
        .reduce((sum, p) => sum + p.errorsPerSecond * report.timeline.intervalSeconds, 0);
      reportFigures(t, 'SIGKILL', report, `, failures allowed ${bound}, failures after the window ${failedAfterWindow}`);
      // Zero failures is possible (nothing in flight on the victim, no new connection routed to it before
      // the check), so the test asserts that the kill happened rather than that it hurt.
      assert.equal(victim.process.signalCode, 'SIGKILL');
      assert.ok(report.requests.failed <= bound, `${report.requests.failed} failures exceed the detection-window bound ${bound}`);
      assert.equal(Math.round(failedAfterWindow), 0, 'requests failed after the detection window');
      assert.ok(report.requests.ok >= report.requests.sent - report.requests.failed);
      assert.ok(report.requests.sent > rate * 8);
    } finally {
      await cluster.stop();
    }
  });
});
