import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { processTree, readProcStat, treeFromEveryProcess, treeUsage } from '../../../bench/peers/process-tree.js';

const linux = process.platform === 'linux';
const started: ChildProcess[] = [];
// Each started in a process group of its own, so the whole tree goes (not the shell alone, leaving its sleeps).
after(() => { for (const child of started) process.kill(-child.pid!, 'SIGKILL'); });

/** Waits until `root`'s tree holds `processes` processes (a shell forks its children after it starts). */
async function treeOf(root: number, processes: number): Promise<number[]> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const pids = processTree(root).map((s) => s.pid);
    if (pids.length >= processes || performance.now() > deadline) return pids;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a server\'s process tree, from /proc', { skip: linux ? false : 'reads /proc, which only Linux has' }, () => {
  it('finds children and grandchildren, the same processes as reading every process would', async () => {
    // sh, two sleeps of its own, and a second shell with a sleep: three generations.
    const root = spawn('sh', ['-c', 'sleep 60 & sleep 60 & sh -c "sleep 60 & wait" & wait'], { stdio: 'ignore', detached: true });
    started.push(root);
    const pids = await treeOf(root.pid!, 5);
    assert.equal(pids.length, 5, `found ${pids.join(', ')}`);
    assert.equal(pids[0], root.pid, 'the root first');
    const walked = treeFromEveryProcess(root.pid!).map((s) => s.pid);
    assert.deepEqual([...pids].sort(), [...walked].sort());
    const usage = treeUsage(root.pid!);
    assert.equal(usage.processes, 5);
    assert.ok(usage.rssBytes > 5 * 4096, `RSS ${usage.rssBytes}`);
  });

  it('reads the stat line of a process whose name holds spaces and parentheses', async (t) => {
    const folder = mkdtempSync(join(tmpdir(), 'process-tree-'));
    t.after(() => rmSync(folder, { recursive: true, force: true }));
    const oddName = join(folder, 'x) (y z');
    symlinkSync('/bin/sleep', oddName); // the kernel names a process after the file it ran: "x) (y z"
    const child = spawn(oddName, ['60'], { stdio: 'ignore', detached: true });
    started.push(child);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stat = readProcStat(child.pid!);
    assert.ok(stat !== undefined);
    assert.equal(stat.ppid, process.pid);
    assert.ok(stat.rssBytes > 0 && stat.cpuSeconds >= stat.systemSeconds && stat.systemSeconds >= 0, JSON.stringify(stat));
  });

  it('answers nothing for a process that has ended', async () => {
    const child = spawn('true', { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(readProcStat(child.pid!), undefined);
    assert.deepEqual(processTree(child.pid!), []);
    assert.equal(treeUsage(child.pid!).processes, 0);
  });

  it('counts this process\'s own CPU time', () => {
    const before = readProcStat(process.pid)!;
    const start = process.cpuUsage();
    while (process.cpuUsage(start).user < 300_000); // 0.3 s of CPU, however long a busy machine takes to give it
    const later = readProcStat(process.pid)!;
    assert.ok(later.cpuSeconds - before.cpuSeconds >= 0.2, `${before.cpuSeconds} -> ${later.cpuSeconds}`);
  });
});
