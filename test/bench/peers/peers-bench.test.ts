import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeRecord, readCheckRows, readModelInputs } from '../../../bench/peers/peer-model.js';
import type { ScenarioResult } from '../../../bench/peers/peer-scenarios.js';
import { peersChartSvg } from '../../../bench/peers/peers-chart.js';
import { markdownTable, tableRows, type PeerResult } from '../../../bench/peers/peers-table.js';
import { packageRoot } from '../../../src/foundation/package-files.js';

describe('bench:peers', () => {
  it('encodes every check row exactly as the XGBoost training script did', () => {
    const check = readCheckRows();
    const inputs = readModelInputs();
    assert.deepEqual(check.inputs, inputs);
    assert.ok(check.rows.some((r) => r.record['TotalCharges'] === null), 'a row with a missing TotalCharges');
    assert.ok(check.rows.some((r) => String(r.record['customerID']).startsWith('split-')), 'rows exactly on split thresholds');
    for (const row of check.rows) assert.deepEqual(encodeRecord(row.record, inputs), row.features, String(row.record['customerID']));
  });

  const scenario = (over: Partial<ScenarioResult>): ScenarioResult => ({
    scenario: 'single-saturation', durationSeconds: 8, offeredRps: 40_000, achievedRps: 1000, rowsPerSecond: 1000, sustained: false,
    p50Ms: 1, p99Ms: 2, maxMs: 3, ok: 8000, errors: 0, statuses: { 200: 8000 }, errorsByKind: {}, serverCpuMicrosPerRequest: 100,
    serverRssPeakBytes: 100 * 2 ** 20, generatorKeptUp: true, ...over,
  });
  const result = (id: string, singleRps: number, batchRowsPerSecond: number, paced: Partial<ScenarioResult>, cpuMicros = { single: 100, batch: 1000 }): PeerResult => ({
    id, label: id, versions: `${id} 1.0`, configuration: 'defaults', comparedWith: 'ours', startupSeconds: 1, rssIdleBytes: 50 * 2 ** 20, rssLoadBytes: 60 * 2 ** 20,
    scenarios: {
      'single-saturation': scenario({ achievedRps: singleRps, rowsPerSecond: singleRps, serverCpuMicrosPerRequest: cpuMicros.single }),
      'single-1000': scenario({ scenario: 'single-1000', offeredRps: 1000, ...paced }),
      'batch-1000': scenario({ scenario: 'batch-1000', achievedRps: batchRowsPerSecond / 1000, rowsPerSecond: batchRowsPerSecond, serverCpuMicrosPerRequest: cpuMicros.batch }),
    },
  });

  it('gives ours / it per server CPU-second against the row each peer is compared with, and marks a paced run the server fell behind', () => {
    const rows = tableRows([
      result('ours', 12_000, 300_000, { achievedRps: 1000, sustained: true }, { single: 80, batch: 4000 }),
      result('peer', 800, 60_000, { achievedRps: 640, sustained: false, errors: 12 }, { single: 1200, batch: 20_000 }),
    ]);
    assert.equal(rows[0]![3], '12,500', 'single requests per CPU-second');
    assert.equal(rows[0]![4], '', 'no ratio against itself');
    assert.equal(rows[1]![4], '15x');
    assert.equal(rows[0]![9], '250,000', '1,000-row rows per CPU-second');
    assert.equal(rows[1]![10], '5.0x');
    assert.match(rows[1]![6]!, /behind: 640\/s, 12 errors/);
    assert.doesNotMatch(rows[0]![6]!, /behind/);
    assert.equal(markdownTable([result('ours', 1, 1, { sustained: true })]).split('\n').length, 3);
  });

  it('draws a bar per server in each panel', () => {
    const svg = peersChartSvg([result('ours', 12_000, 300_000, {}, { single: 80, batch: 4000 }), result('peer <x>', 800, 60_000, {})], 'test');
    assert.equal((svg.match(/<rect /g) ?? []).length, 1 + 2 * 2);
    assert.match(svg, /peer &lt;x&gt;/);
    assert.match(svg, /12,500/);
    assert.match(svg, /250,000/);
  });

  // The harness end to end on the one server that needs no Python: start, readiness, the answer check,
  // every scenario, the JSON and the chart. CI's own step (.ci/run) adds the Python peers it can afford.
  it('runs every scenario against our server in --smoke mode', { timeout: 120_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'peers-smoke-'));
    try {
      const run = spawnSync(process.execPath, [join(packageRoot, 'dist', 'bench', 'peers', 'run-peers.js'), '--smoke', '--peers', 'ours-native'], {
        cwd: work, env: { ...process.env, PEERS_CACHE: join(work, 'cache') }, encoding: 'utf8', timeout: 110_000,
      });
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
      const report = JSON.parse(readFileSync(join(work, '.bench-results', 'peers-smoke.json'), 'utf8')) as { results: PeerResult[] };
      const ours = report.results[0]!;
      assert.equal(ours.error, undefined);
      assert.equal(ours.check?.agrees, true);
      assert.deepEqual(Object.keys(ours.scenarios).sort(), ['batch-100', 'batch-1000', 'single-100', 'single-1000', 'single-saturation']);
      for (const s of Object.values(ours.scenarios)) assert.ok(s!.ok > 0, `${s!.scenario}: answers`);
      assert.ok(ours.startupSeconds! > 0 && ours.rssIdleBytes! > 0);
      assert.ok(existsSync(join(work, '.bench-results', 'peers-smoke.svg')));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
