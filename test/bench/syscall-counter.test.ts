import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { canCountSyscalls, countKernelWork, parseCounts } from '../../bench/syscall-counter.js';

describe('counting a process\'s system calls (perf stat)', () => {
  it('counts the calls a child makes, more when it makes more', async (t) => {
    if (!canCountSyscalls()) {
      // A bench diagnostic, not a product feature: hosts without perf, or whose kernel hides its tracepoints, go without.
      t.skip('perf cannot count the raw_syscalls tracepoint here (not installed, or not permitted)');
      return;
    }
    // A child that, told n, makes n one-byte writes to /dev/null: n system calls and a few more.
    const script = `const fs=require('fs');const fd=fs.openSync('/dev/null','w');process.stdin.once('data',(d)=>{const n=Number(d);for(let i=0;i<n;i++)fs.writeSync(fd,'x');process.stdout.write('done');});`;
    const counted = async (writes: number): Promise<number> => {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
      await new Promise((resolve) => setTimeout(resolve, 300)); // past its start-up's calls
      const counter = await countKernelWork(child.pid!);
      child.stdin.write(String(writes));
      await once(child.stdout, 'data');
      const counts = await counter.stop();
      child.kill();
      return counts.syscalls;
    };
    const few = await counted(100);
    const many = await counted(20_000);
    assert.ok(many - few >= 19_000 && many - few < 21_000 + few, `20,000 writes counted ${many}; 100 counted ${few}`);
  });

  it('reads perf stat\'s CSV, and nothing from a line it did not count', () => {
    assert.deepEqual(parseCounts('1234,,raw_syscalls:sys_enter,1000,100.00,,\n56,,context-switches,1000,100.00,56.000,/sec\n'), { syscalls: 1234, contextSwitches: 56 });
    assert.equal(parseCounts('<not supported>,,raw_syscalls:sys_enter,0,100.00,,\n56,,context-switches,1000,100.00,,\n'), undefined);
  });
});
