import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { runLoadTest } from '../../src/loadtest/load-test.js';
import type { LoadTestReport } from '../../src/loadtest/load-report.js';
import { Cluster, requireHaproxy } from './harness/cluster.js';
import { reportFigures as figures } from './harness/scenario-figures.js';

/**
 * maxSurge 1 / maxUnavailable 0: start a new replica, wait until it is ready and in the balancer, then
 * terminate an old one; repeat for each old replica. Load runs throughout.
 */
async function rollingUpdate(t: TestContext, env: Record<string, string>): Promise<{ report: LoadTestReport; exitCodes: (number | null | 'timeout')[] }> {
  const cluster = await Cluster.start(3, env);
  try {
    const controller = new AbortController();
    const load = runLoadTest({ url: cluster.url, profile: 'constant:500', durationSeconds: 60, connections: 16, signal: controller.signal });
    const exitCodes: (number | null | 'timeout')[] = [];
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const old of [...cluster.replicas]) {
      await cluster.scaleUp();
      exitCodes.push(await cluster.terminate(old));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    controller.abort();
    return { report: await load, exitCodes };
  } finally {
    await cluster.stop();
  }
}

describe('rolling update under load (3 replicas, maxSurge 1, maxUnavailable 0)', { timeout: 120_000 }, () => {
  it('serves every request: zero failures, zero non-2xx, old replicas exit 0', async (t) => {
    if (!requireHaproxy(t)) return;
    const { report, exitCodes } = await rollingUpdate(t, {});
    figures(t, 'rolling update', report);
    assert.ok(report.requests.sent > 5000, `only ${report.requests.sent} requests were sent`);
    assert.equal(report.requests.failed, 0, JSON.stringify(report.errors.byKind));
    assert.deepEqual(Object.keys(report.statuses).filter((s) => !s.startsWith('2')), []);
    assert.deepEqual(exitCodes, [0, 0, 0]);
  });

  it('without the drain (SHUTDOWN_DRAIN_SECONDS=0) requests fail: the test can tell', async (t) => {
    if (!requireHaproxy(t)) return;
    const { report } = await rollingUpdate(t, { SHUTDOWN_DRAIN_SECONDS: '0' });
    figures(t, 'rolling update without drain', report);
    assert.ok(report.requests.failed > 0, 'expected failures when replicas stop before the endpoint is removed');
  });
});

describe('scale-down under load', { timeout: 60_000 }, () => {
  it('SIGTERM to one of three replicas fails no request', async (t) => {
    if (!requireHaproxy(t)) return;
    const cluster = await Cluster.start(3);
    try {
      const controller = new AbortController();
      const load = runLoadTest({ url: cluster.url, profile: 'constant:500', durationSeconds: 60, connections: 16, signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const code = await cluster.terminate(cluster.replicas[0]!);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      controller.abort();
      const report = await load;
      figures(t, 'scale-down', report);
      assert.equal(code, 0);
      assert.ok(report.requests.sent > 2000);
      assert.equal(report.requests.failed, 0, JSON.stringify(report.errors.byKind));
    } finally {
      await cluster.stop();
    }
  });
});
