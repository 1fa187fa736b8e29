import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dumpTotals, simulated } from '../../bench/callgrind-dump.js';
import { valgrindOrSkip } from '../helpers/valgrind.js';

/** The dump callgrind writes for a short run of `/bin/ls` with `options`. */
function dumpOf(t: { skip: (reason: string) => void }, options: string[]): string | undefined {
  if (!valgrindOrSkip(t)) return undefined;
  const work = mkdtempSync(join(tmpdir(), 'callgrind-dump-'));
  try {
    const out = join(work, 'callgrind.out');
    const run = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, ...options, '/bin/ls', '/'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe('callgrind dumps, as callgrind writes them', () => {
  it('give their instruction total, and no simulation when callgrind ran without one', (t) => {
    const dump = dumpOf(t, []);
    if (dump === undefined) return;
    const totals = dumpTotals(dump);
    assert.ok(totals !== undefined && totals['Ir']! > 10_000, `Ir: ${totals?.['Ir']}`);
    assert.equal(simulated(totals), undefined);
  });

  it('give the cache and branch simulations\' misses and a cycle estimate when it ran them', (t) => {
    const dump = dumpOf(t, ['--cache-sim=yes', '--branch-sim=yes']);
    if (dump === undefined) return;
    const totals = dumpTotals(dump)!;
    const whole = simulated(totals)!;
    assert.equal(whole.instructions, totals['Ir']);
    // A cold start of a program misses: its code and data come from memory at least once.
    assert.ok(whole.l1Misses > 0 && whole.memoryAccesses > 0 && whole.memoryAccesses <= whole.l1Misses, JSON.stringify(whole));
    assert.ok(whole.mispredictedBranches > 0, JSON.stringify(whole));
    // Every instruction is at least one first-level access, and a miss costs more than a hit.
    assert.ok(whole.estimatedCycles > whole.instructions + 4 * whole.l1Misses, JSON.stringify(whole));
    const half = simulated(totals, 2)!;
    assert.equal(half.estimatedCycles, whole.estimatedCycles / 2);
    assert.equal(half.mispredictedBranches, whole.mispredictedBranches / 2);
  });

  it('are refused without an events line and a summary line of numbers', () => {
    assert.equal(dumpTotals('summary: 12\n'), undefined);
    assert.equal(dumpTotals('events: Ir\nsummary: twelve\n'), undefined);
    assert.deepEqual(dumpTotals('events: Ir Dr Dw\nsummary: 12 3\n'), { Ir: 12, Dr: 3, Dw: 0 });
  });
});
