import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { parse } from 'yaml';
import { runLoadTest } from '../../src/loadtest/load-test.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { Cluster, requireHaproxy } from '../e2e/harness/cluster.js';
import { temporaryDirectory } from '../helpers/fixtures.js';
import { ruleGroups } from './prometheus-rule.js';
import { PrometheusServer, type QueryResult } from './prometheus-server.js';
import { requireTool } from './required-tool.js';

/*
 * The monitoring stack against the real other side: Debian's Prometheus scrapes two real server replicas (child
 * processes behind HAProxy, the Service stand-in of test/e2e) under load from our own load generator. The
 * ScaledObject's request-rate query must return the offered rate, and the PrometheusRule's drift alert must fire
 * when the load carries a shifted feature, and only then.
 *
 * Timings scaled to a test: scrape and rule evaluation every second, drift windows of 1,000 records per pod, and
 * the alerts' `for:` (15 minutes in production, checked by promtool's unit tests) cut to 5 seconds. Expressions
 * and thresholds are the committed ones.
 */

const OFFERED_RPS = 100;
const STATIONARY_SECONDS = 80;
const DRIFTED_SECONDS = 30;
const SHIFT = 'Contract=Month-to-month';

const scaledObject = parse(readFileSync(join(packageRoot, 'deploy', 'kubernetes', 'components', 'request-rate-autoscaling', 'scaled-object.yaml'), 'utf8')) as {
  spec: { triggers: { type: string; metadata: { query?: string } }[] };
};
const kedaQuery = scaledObject.spec.triggers.find((t) => t.type === 'prometheus')!.metadata.query!;

const work = temporaryDirectory('churn-prometheus-');
let cluster: Cluster | undefined;
let prometheus: PrometheusServer | undefined;
after(async () => {
  await prometheus?.stop();
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true });
});

const values = (result: QueryResult[]) => result.map((r) => Number(r.value[1]));
const firing = (name: string) => `ALERTS{alertname="${name}",alertstate="firing"}`;

/** Starts the replicas and Prometheus once, for the first test that gets to run. */
let started: Promise<void> | undefined;
function setUp(): Promise<void> {
  started ??= (async () => {
    cluster = await Cluster.start(2, { DRIFT_WINDOW: '1000', LOG_LEVEL: 'warn' });
    const rules = ruleGroups((text) => text.replace(/for: \d+m/g, 'for: 5s'));
    prometheus = await PrometheusServer.start(work, cluster.replicas, rules, { namespace: 'ml-serving', service: 'churn-predictor-svc' });
    await prometheus.waitFor('up{job="churn-predictor"} == 1', (r) => r.length === 2, 30_000);
  })();
  return started;
}

/** Skips loudly without prometheus or haproxy (in CI: fails), else sets up. */
async function ready(t: TestContext): Promise<boolean> {
  if (!requireTool(t, 'prometheus', 'prometheus') || !requireHaproxy(t)) return false;
  await setUp();
  return true;
}

describe('a real Prometheus scraping two real replicas', { timeout: 300_000 }, () => {
  it(`the ScaledObject's request-rate query returns the offered ${OFFERED_RPS}/s within 10%, and stationary traffic fires no drift alert`, async (t) => {
    if (!await ready(t)) return;
    // The query's rate() looks back one minute: it is read while the load runs, after more than a minute of it.
    const load = runLoadTest({ url: cluster!.url, profile: `constant:${OFFERED_RPS}`, durationSeconds: STATIONARY_SECONDS, payload: 'single', seed: 7 });
    const rate = await new Promise<QueryResult[]>((resolve, reject) => {
      setTimeout(() => { prometheus!.query(kedaQuery).then(resolve, reject); }, (STATIONARY_SECONDS - 8) * 1000);
    });
    const report = await load;
    // The machine is shared: a replica may shed a few requests (503) when another job starves it. They are
    // still requests KEDA counts; more than 1% would mean the replicas, not the query, are under test.
    assert.ok(report.requests.failed <= 0.01 * report.requests.sent, `failed requests: ${JSON.stringify({ statuses: report.statuses, errors: report.errors })}`);
    assert.equal(rate.length, 1, JSON.stringify(rate));
    const measured = values(rate)[0]!;
    process.stdout.write(`# KEDA's query returned ${measured.toFixed(2)}/s for ${OFFERED_RPS}/s offered (${report.requests.sent} sent, ${report.requests.failed} failed)\n`);
    assert.ok(Math.abs(measured - OFFERED_RPS) / OFFERED_RPS <= 0.1, `KEDA's query returned ${measured}/s for ${OFFERED_RPS}/s offered`);

    const psi = await prometheus!.query('max(churn_feature_drift_psi)');
    assert.ok(values(psi)[0]! < 0.1, `largest feature PSI under stationary load: ${values(psi)[0]}`);
    assert.deepEqual(await prometheus!.query('ALERTS{alertname=~"ChurnFeatureDrift|ChurnScoreShift"}'), []);
  });

  it(`a load with one shifted feature (${SHIFT}) fires ChurnFeatureDrift for that feature alone, and ChurnScoreShift`, async (t) => {
    if (!await ready(t)) return;
    const report = await runLoadTest({ url: cluster!.url, profile: `constant:${OFFERED_RPS}`, durationSeconds: DRIFTED_SECONDS, payload: `drifted:${SHIFT}`, seed: 8 });
    assert.ok(report.requests.failed <= 0.01 * report.requests.sent, `failed requests: ${JSON.stringify({ statuses: report.statuses, errors: report.errors })}`);
    const alerts = await prometheus!.waitFor(firing('ChurnFeatureDrift'), (r) => r.length > 0, 30_000);
    assert.deepEqual(alerts.map((a) => a.metric['feature']), ['Contract']);
    assert.equal(alerts[0]!.metric['namespace'], 'ml-serving');
    assert.equal(alerts[0]!.metric['severity'], 'warning');
    const scores = await prometheus!.waitFor(firing('ChurnScoreShift'), (r) => r.length > 0, 30_000);
    const psi = await prometheus!.query('avg without (instance, pod) (churn_feature_drift_psi)');
    const table = psi.map((r) => `${r.metric['feature']} ${Number(r.value[1]).toFixed(3)}`).sort();
    process.stdout.write(`# firing: ${JSON.stringify(alerts.map((a) => a.metric))}\n# ${JSON.stringify(scores.map((a) => a.metric))}\n# PSI: ${table.join(', ')}\n`);
    for (const line of table.filter((l) => !l.startsWith('Contract '))) assert.ok(Number(line.split(' ')[1]) < 0.2, line);
  });
});
