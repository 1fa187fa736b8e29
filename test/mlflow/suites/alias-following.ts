import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { mlflowRequest } from '../../../src/sources/mlflow-rest.js';
import { startChildServer } from '../../server/child-server.js';
import type { MlflowWorld } from '../harness/mlflow-world.js';

interface LoadResult { sent: number; failed: string[]; versions: string[]; notReady: number }

/**
 * A request loop: `workers` clients, each sending /predict, /invocations and /readyz back to back until `stop()`;
 * every answer that is not 200 is a failure, and the model versions answered are recorded in order.
 */
function requestLoop(base: string, record: unknown, workers: number): { stop: () => Promise<LoadResult> } {
  const result: LoadResult = { sent: 0, failed: [], versions: [], notReady: 0 };
  let running = true;
  const json = { 'content-type': 'application/json' };
  const worker = async () => {
    while (running) {
      const [predict, invocations, ready] = await Promise.all([
        fetch(`${base}/predict`, { method: 'POST', headers: json, body: JSON.stringify(record) }),
        fetch(`${base}/invocations`, { method: 'POST', headers: json, body: JSON.stringify({ dataframe_records: [record] }) }),
        fetch(`${base}/readyz`),
      ]);
      result.sent += 3;
      for (const [what, response] of [['predict', predict], ['invocations', invocations], ['readyz', ready]] as const) {
        const text = await response.text();
        if (response.status !== 200) result.failed.push(`${what} ${response.status} ${text.slice(0, 200)}`);
        if (what === 'readyz' && response.status !== 200) result.notReady++;
        if (what === 'predict' && response.status === 200) result.versions.push((JSON.parse(text) as { modelVersion: string }).modelVersion);
      }
    }
  };
  const all = Promise.all(Array.from({ length: workers }, worker));
  return { stop: async () => { running = false; await all; return result; } };
}

/** Waits for a log line: the server buffers its lines (log-destination.ts) and flushes them at least once a second. */
async function logged(logs: readonly Record<string, unknown>[], match: (line: Record<string, unknown>) => boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!logs.some(match)) {
    assert.ok(performance.now() < deadline, 'the expected log line did not come within 10 s');
    await sleep(100);
  }
}

async function metricsOf(base: string): Promise<string> {
  return (await fetch(`${base}/metrics`)).text();
}

/** MODEL_REFRESH_SECONDS against a real registry: the alias moves under load, and a release that cannot load. */
export function aliasFollowingSuite(world: () => MlflowWorld): void {
  describe('MODEL_REFRESH_SECONDS: following an MLflow alias', () => {
    test('the alias moves under load: the new version is swapped in, no request fails, readiness stays up; a version that cannot load is not served', async () => {
      const { registry, fixtures } = world();
      const connection = { trackingUri: registry.url };
      const setAlias = (version: string) => mlflowRequest(connection, 'mlflow/registered-models/alias', { method: 'POST', body: { name: 'churn-follow', alias: 'live', version }, timeoutMs: 10_000 });
      await setAlias('1');
      const server = await startChildServer({ MODEL_PATH: 'models:/churn-follow@live', MLFLOW_TRACKING_URI: registry.url, MODEL_REFRESH_SECONDS: '1' }, 60_000);
      const base = `http://127.0.0.1:${server.port}`;
      try {
        const record = fixtures.records.find((r) => Object.values(r).every((v) => v !== null))!;
        const card = async () => (await (await fetch(`${base}/model`)).json()) as { version: string; provenance: { mlflow: { alias: string; version: string; runId: string } } };
        assert.equal((await card()).version, '1');

        const load = requestLoop(base, record, 4);
        await sleep(1500);
        await setAlias('2');
        const deadline = performance.now() + 30_000;
        while ((await card()).version !== '2') {
          assert.ok(performance.now() < deadline, 'the new version was not swapped in within 30 s');
          await sleep(200);
        }
        await sleep(1000);
        const result = await load.stop();
        assert.deepEqual(result.failed, [], `${result.failed.length} of ${result.sent} requests failed`);
        assert.equal(result.notReady, 0);
        assert.ok(result.versions.includes('1') && result.versions.at(-1) === '2', `versions answered: ${[...new Set(result.versions)].join(', ')}`);
        // Once version 2 answers, version 1 never answers again.
        assert.equal(result.versions.slice(result.versions.indexOf('2')).includes('1'), false);
        process.stderr.write(`# alias following: ${result.sent} requests during the swap, ${result.failed.length} failed\n`);

        const served = await card();
        assert.deepEqual([served.provenance.mlflow.alias, served.provenance.mlflow.version, served.provenance.mlflow.runId], ['live', '2', fixtures.xgb['2'].runId]);
        let metrics = await metricsOf(base);
        assert.match(metrics, /^churn_model_refresh_total\{outcome="swapped"\} 1$/m);
        assert.match(metrics, new RegExp(`^churn_model_info\\{name="churn-follow",version="2",source="mlflow",registered_model="churn-follow",alias="live",run_id="${fixtures.xgb['2'].runId}"\\} 1$`, 'm'));
        await logged(server.logs, (l) => l['msg'] === 'model refreshed: the new version serves' && l['to'] === '2');

        // Version 3 names files that do not exist: it is not served, and the log and the metric say so.
        await setAlias('3');
        const failedBy = performance.now() + 30_000;
        while (!/^churn_model_refresh_total\{outcome="failed"\} [1-9]/m.test(metrics = await metricsOf(base))) {
          assert.ok(performance.now() < failedBy, 'no failed refresh counted within 30 s');
          await sleep(200);
        }
        assert.equal((await card()).version, '2');
        assert.equal((await fetch(`${base}/readyz`)).status, 200);
        const failed = (l: Record<string, unknown>) => l['msg'] === 'model refresh failed: the new version did not load; the served model stays';
        await logged(server.logs, failed);
        const warnings = server.logs.filter(failed);
        assert.deepEqual(warnings.map((w) => [w['to'], (w['error'] as { code?: string } | undefined)?.code]), warnings.map(() => ['3', 'ARTIFACT_NOT_FOUND']), JSON.stringify(warnings));
      } finally {
        server.kill();
        await setAlias('1');
      }
    });
  });
}
