import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../src/foundation/package-files.js';

// Each case runs in its own Node process: the state under test (V8's feedback for nextTick) is per process and
// cannot be reset. The process makes entries, lets a full collection run while none is alive, makes entries again,
// then prints V8's view of process.nextTick (%DebugPrint lists each feedback slot with its state).
const shapeModule = fileURLToPath(new URL('../../src/foundation/next-tick-shape.js', import.meta.url));
const idleCollection = `
const ticks = (n) => new Promise((done) => { let i = 0; const step = () => (++i < n ? process.nextTick(step) : done()); process.nextTick(step); });
await ticks(200);
await new Promise((resolve) => setImmediate(resolve));
globalThis.gc();
await ticks(200);
new Function('f', '%DebugPrint(f)')(process.nextTick);
`;

/** The states of the feedback slots of nextTick's entry literal (its keys defined one by one), in order. */
function literalSlotStates(nodeArgs: string[]): string[] {
  // V8 prints through C's stdio: into a pipe Node has made non-blocking it can lose what does not fit, into a file it cannot.
  const work = mkdtempSync(join(tmpdir(), 'churn-next-tick-'));
  try {
    const out = openSync(join(work, 'stdout'), 'w');
    const result = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', ...nodeArgs], { encoding: 'utf8', timeout: 60_000, cwd: packageRoot, stdio: ['ignore', out, 'pipe'] });
    closeSync(out);
    assert.equal(result.status, 0, result.stderr);
    return [...readFileSync(join(work, 'stdout'), 'utf8').matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function script(keep: boolean): string[] {
  const prelude = keep ? `(await import(${JSON.stringify(shapeModule)})).keepNextTickShape();\n` : '';
  return ['--input-type=module', '-e', prelude + idleCollection];
}

describe('keepNextTickShape (process.nextTick stays on V8 fast path)', () => {
  const unkept = literalSlotStates(script(false));
  const reason = unkept.length === 0 ? `this Node's V8 (${process.versions.v8}) prints no feedback slots for nextTick's literal` : undefined;

  test('the problem it solves: without it, a full collection while no entry is alive turns nextTick megamorphic', { skip: reason }, () => {
    assert.ok(unkept.includes('MEGAMORPHIC'), `expected a megamorphic slot, got ${unkept.join(' ')}: if this Node no longer needs the kept entry, say so in src/foundation/next-tick-shape.ts`);
  });

  test('with it, every slot of the literal stays monomorphic through the same collection', { skip: reason }, () => {
    const kept = literalSlotStates(script(true));
    assert.equal(kept.length, unkept.length);
    assert.deepEqual(kept, kept.map(() => 'MONOMORPHIC'));
  });

  test("the command line keeps it from its first line: the same collection after `churn-predictor info` (it prints the bundled model's card)", { skip: reason }, () => {
    // A preload that waits for the command to finish (the loop empty, no entry alive), then collects and prints.
    const preload = `process.once('beforeExit', async () => { ${idleCollection} });`;
    const states = literalSlotStates(['--import', `data:text/javascript,${encodeURIComponent(preload)}`, join(packageRoot, 'dist', 'src', 'cli', 'main.js'), 'info']);
    assert.equal(states.length, unkept.length);
    assert.deepEqual(states, states.map(() => 'MONOMORPHIC'));
  });
});
