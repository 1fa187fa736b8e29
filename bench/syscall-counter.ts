import { spawn, spawnSync } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** System calls a process entered, and the times it was switched out, over a span. */
export interface KernelCounts {
  syscalls: number;
  contextSwitches: number;
}

const EVENTS = ['raw_syscalls:sys_enter', 'context-switches'];

let usable: boolean | undefined;

/**
 * Whether `perf stat` can count a process's system calls here: perf is installed, takes commands on a descriptor,
 * and the kernel lets it read the syscall tracepoint (a virtual CPU without hardware counters still has it). Asked once.
 */
export function canCountSyscalls(): boolean {
  if (usable === undefined) {
    const probe = spawnSync('perf', ['stat', '-x,', '-e', EVENTS.join(','), '--', 'true'], { encoding: 'utf8' });
    // --control (perf 5.10 on) is how countKernelWork knows the counting is on.
    const controlled = spawnSync('perf', ['stat', '-h'], { encoding: 'utf8' });
    usable = probe.status === 0 && parseCounts(probe.stderr) !== undefined && `${controlled.stdout}${controlled.stderr}`.includes('--control');
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

/**
 * Starts counting `pid`'s system calls and context switches (all its threads), and answers once perf has said the
 * counting is on (it starts with its events disabled and acknowledges the `enable` sent on its control descriptor);
 * `stop` answers the counts so far.
 */
export async function countKernelWork(pid: number): Promise<{ stop: () => Promise<KernelCounts> }> {
  // Descriptor 3 carries commands to perf, 4 its acknowledgements.
  const perf = spawn('perf', ['stat', '-x,', '-D', '-1', '--control', 'fd:3,4', '-e', EVENTS.join(','), '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let csv = '';
  perf.stderr!.setEncoding('utf8').on('data', (chunk: string) => { csv += chunk; });
  const exited = new Promise<void>((resolve) => perf.once('exit', () => resolve()));
  const acknowledged = new Promise<void>((resolve, reject) => {
    (perf.stdio[4] as Readable).once('data', () => resolve());
    void exited.then(() => reject(new Error(`perf stat ended before counting process ${pid}: ${csv.slice(-500)}`)));
  });
  (perf.stdio[3] as Writable).write('enable\n');
  await acknowledged;
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
