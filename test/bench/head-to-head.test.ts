import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { oursFirst, summariseHeadToHead, type HeadToHeadRound } from '../../bench/head-to-head-summary.js';
import { environmentSetting, type LoadResult } from '../../bench/load-targets.js';
import { packageRoot } from '../../src/foundation/package-files.js';

function load(okPerSecond: number): LoadResult {
  return {
    requestsPerSecond: okPerSecond + 100, okPerSecond, cpuMicrosPerRequest: 40, systemMicrosPerRequest: 10,
    p50Ms: 1, p99Ms: 5, non2xx: 100, errors: 0, total: okPerSecond, stolenPercent: 0,
  };
}

const round = (ours: number, theirs: number): HeadToHeadRound => ({ ours: load(ours), theirs: load(theirs) });

test('a head-to-head summary takes each round\'s answered requests, ours over theirs, and a median per pair', () => {
  const summary = summariseHeadToHead([
    [round(9_000, 10_000), round(11_000, 10_000), round(10_000, 10_000)],
    [round(12_000, 10_000), round(13_000, 10_000), round(8_000, 10_000)],
  ]);
  assert.deepEqual(summary.ratios, [[0.9, 1.1, 1], [1.2, 1.3, 0.8]]);
  // Sorted: 0.8 0.9 1 1.1 1.2 1.3.
  assert.equal(summary.median, 1.05);
  assert.equal(summary.lowerQuartile, 0.9);
  assert.equal(summary.upperQuartile, 1.2);
  assert.deepEqual(summary.pairMedians, [1, 1.2]);
  assert.throws(() => summariseHeadToHead([[]]), /no rounds/);
});

test('the side started first alternates: ours in even pairs and rounds, theirs in odd ones', () => {
  assert.deepEqual([0, 1, 2, 3].map(oursFirst), [true, false, true, false]);
});

test('a --with setting is one KEY=VALUE, the value free to hold another =', () => {
  assert.deepEqual(environmentSetting('LOG_LEVEL=warn'), ['LOG_LEVEL', 'warn']);
  assert.deepEqual(environmentSetting('API_KEYS=a=b'), ['API_KEYS', 'a=b']);
  assert.deepEqual(environmentSetting('EMPTY='), ['EMPTY', '']);
  assert.throws(() => environmentSetting('LOG_LEVEL'), /KEY=VALUE/);
  assert.throws(() => environmentSetting('=warn'), /KEY=VALUE/);
});

// A smoke run so the bench cannot rot; its figures come from full runs.
test('bench: head to head runs pairs of real servers, each side started first in turn, and reports every round', { timeout: 120_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'head-to-head-smoke-'));
  try {
    const bench = join(packageRoot, 'dist', 'bench', 'head-to-head.bench.js');
    const run = spawnSync(process.execPath, [bench, '--pairs', '2', '--rounds', '1', '--seconds', '1', '--against-with', 'LOG_LEVEL=warn'], { cwd: work, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr.slice(-3000));
    assert.match(run.stdout, /pair 1\/2 \(ours started first\), round 1\/1: \d\.\d{3}/);
    assert.match(run.stdout, /pair 2\/2 \(theirs started first\), round 1\/1: \d\.\d{3}/);
    const report = JSON.parse(readFileSync(join(work, '.bench-results', 'head-to-head.json'), 'utf8')) as {
      rows: { metric: string; value: number }[]; extra: { theirs: string; ratios: number[][]; command: string };
    };
    assert.equal(report.extra.theirs, 'churn-predictor (this build) LOG_LEVEL=warn');
    assert.equal(report.extra.ratios.length, 2);
    for (const [ratio] of report.extra.ratios) assert.ok(ratio !== undefined && ratio > 0.3 && ratio < 3, `a server against itself at warn: ${ratio}`);
    assert.equal(report.rows[0]!.metric, 'churn-predictor / churn-predictor (this build) LOG_LEVEL=warn');
    assert.match(report.extra.command, /--against-with LOG_LEVEL=warn --pairs 2 --rounds 1 --seconds 1/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
