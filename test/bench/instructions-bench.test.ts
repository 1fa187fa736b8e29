import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';
import { valgrindOrSkip } from '../helpers/valgrind.js';

interface Report { rows: { metric: string; value: number }[]; extra: { instructionsPerRequest: Record<string, number[]> } }

const bench = join(packageRoot, 'dist', 'bench', 'instructions-per-request.bench.js');

/**
 * A smoke run of the bench with `args` (a few requests per server, `warmup` uncounted, `requests` counted per round),
 * in a scratch directory (it writes .bench-results/ there); its report.
 */
function smokeRun(t: { skip: (reason: string) => void }, args: string[], { warmup = 300, requests = 40 } = {}): Report | undefined {
  if (!valgrindOrSkip(t)) return undefined;
  const work = mkdtempSync(join(tmpdir(), 'instructions-smoke-'));
  try {
    const run = spawnSync(process.execPath, [bench, '--warmup', String(warmup), '--requests', String(requests), '--rounds', '2', ...args], { cwd: work, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr.slice(-3000));
    return JSON.parse(readFileSync(join(work, '.bench-results', 'instructions-per-request.json'), 'utf8')) as Report;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe('bench: instructions per request', () => {
  // Smoke runs so the bench cannot rot; the figures themselves come from full runs.
  it('counts every server under callgrind and reports ratios to bare node:http', { timeout: 600_000 }, (t) => {
    const report = smokeRun(t, []);
    if (report !== undefined) {
      const counted = report.extra.instructionsPerRequest;
      assert.equal(Object.keys(counted).length, 9, 'six single-record servers and three batch servers');
      for (const [name, rounds] of Object.entries(counted)) {
        assert.equal(rounds.length, 2, name);
        for (const perRequest of rounds) assert.ok(Number.isFinite(perRequest) && perRequest > 10_000, `${name}: ${perRequest} instructions per request`);
      }
      const row = (metric: string): number => report.rows.find((r) => r.metric === metric)!.value;
      // Whatever the warm-up, scoring and serving a model takes more instructions than answering a constant.
      assert.ok(row('Fastify scoring / bare node:http') > 1, 'Fastify scoring costs more than bare node:http');
      assert.ok(row('churn-predictor / bare node:http') > 1, 'the server costs more than bare node:http');
      assert.ok(row('batch 1000: churn-predictor / bare') > 1, 'scoring a batch costs more than echoing it');
      // The floor (the model's work on node:http, nothing for operators) is counted and set against both sides; a smoke
      // run's few requests can put early rounds at twice the later ones, so only the bounds of a sane count are held.
      for (const metric of ['node:http scoring / bare node:http', 'churn-predictor / node:http scoring', 'batch 1000: node:http scoring / bare', 'batch 1000: churn-predictor / node:http scoring']) {
        assert.ok(row(metric) > 0.25 && row(metric) < 4, `${metric}: ${row(metric)}`);
      }
    }
  });

  it('counts a baseline build beside this one (--baseline), here this build against itself', { timeout: 600_000 }, (t) => {
    // Ten batches to warm up and four counted a round, not three and two: after three, the optimising compiler's
    // threads and the first full collections could still land in a count of two batches and double it (2.7 and 3.0
    // times the same build's other count, on Node 24); after ten, four smoke runs gave ratios of 0.89-1.40.
    const report = smokeRun(t, ['--only', 'batch', '--baseline', join(packageRoot, 'dist', 'src', 'cli', 'main.js')], { warmup: 1000, requests: 400 });
    if (report !== undefined) {
      assert.deepEqual(Object.keys(report.extra.instructionsPerRequest).sort(), [
        'batch 1000: bare node:http', 'batch 1000: churn-predictor', 'batch 1000: churn-predictor (baseline build)', 'batch 1000: node:http scoring the model',
      ]);
      const ratio = report.rows.find((r) => r.metric === 'batch 1000: this build / baseline')!.value;
      // The same build, counted twice over a few batches: equal within what two short smoke counts can differ by.
      assert.ok(ratio > 0.5 && ratio < 2, `this build / itself: ${ratio}`);
    }
  });
});
