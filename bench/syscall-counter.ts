import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** System calls a process entered, and the times it was switched out, over a span. */
export interface KernelCounts {
  syscalls: number;
  contextSwitches: number;
}

const EVENTS = ['raw_syscalls:sys_enter', 'context-switches'];
// perf has no "attached" signal: counting starts within this long of its start (a few ms in practice).
const ATTACH_MS = 250;

let usable: boolean | undefined;

/**
 * Whether `perf stat` can count a process's system calls here: perf is installed and the kernel lets it read the
 * syscall tracepoint (a virtual CPU without hardware counters still has it). Asked once.
 */
export function canCountSyscalls(): boolean {
  if (usable === undefined) {
    const probe = spawnSync('perf', ['stat', '-x,', '-e', EVENTS.join(','), '--', 'true'], { encoding: 'utf8' });
    usable = probe.status === 0 && parseCounts(probe.stderr) !== undefined;
  }
  return usable;
}

/** perf stat's CSV lines (-x,): the two events' counts; undefined when either was not counted. */
export function parseCounts(csv: string): KernelCounts | undefined {
  const counts = new Map<string, number>();
  for (const line of csv.split('\n')) {
    const fields = line.split(',');
    if (fields.length > 2 && fields[0] !== '' && Number.isFinite(Number(fields[0]))) counts.set(fields[2]!, Number(fields[0]));
  }
  const syscalls = counts.get(EVENTS[0]!);
  const contextSwitches = counts.get(EVENTS[1]!);
  return syscalls === undefined || contextSwitches === undefined ? undefined : { syscalls, contextSwitches };
}

/** Starts counting `pid`'s system calls and context switches (all its threads); `stop` answers the counts so far. */
export async function countKernelWork(pid: number): Promise<{ stop: () => Promise<KernelCounts> }> {
  const perf = spawn('perf', ['stat', '-x,', '-e', EVENTS.join(','), '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let csv = '';
  perf.stderr.setEncoding('utf8').on('data', (chunk: string) => { csv += chunk; });
  const exited = new Promise<void>((resolve) => perf.once('exit', () => resolve()));
  await sleep(ATTACH_MS);
  return {
    stop: async () => {
      perf.kill('SIGINT');
      await exited;
      const counts = parseCounts(csv);
      if (counts === undefined) throw new Error(`perf stat counted nothing for process ${pid}: ${csv.slice(-500)}`);
      return counts;
    },
  };
}
