/**
 * Memory and CPU of a server as the sum over its process tree, from /proc (Linux). A Python server is often
 * several processes (MLflow's wrapper and its uvicorn worker, BentoML's supervisor and its worker): a
 * user pays for all of them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** user + system CPU seconds */
  cpuSeconds: number;
  /** the system (kernel) part of cpuSeconds */
  systemSeconds: number;
  rssBytes: number;
}

const pageSize = 4096;
const clockTicks = 100; // USER_HZ on Linux

/** One process's line of /proc/<pid>/stat; undefined once it is gone (or where there is no /proc). */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: split after its closing parenthesis.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const systemSeconds = Number(fields[12]) / clockTicks;
    return {
      pid,
      ppid: Number(fields[1]),
      cpuSeconds: Number(fields[11]) / clockTicks + systemSeconds,
      systemSeconds,
      rssBytes: Number(fields[21]) * pageSize,
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether the kernel lists each thread's children (/proc/<pid>/task/<tid>/children, Linux 3.5 on with
 * CONFIG_PROC_CHILDREN). Where it does, a tree is found by reading its own processes' files; where it does
 * not, by reading every process's stat. The walk took 2 ms on a quiet machine, a cost the benches paid every
 * 100-200 ms while sampling a server's memory, from the process or core they were measuring.
 */
const kernelListsChildren = existsSync(`/proc/${process.pid}/task/${process.pid}/children`);

/** The pids of `pid`'s children, from each of its threads' children file (a child is listed under the thread that forked it). */
function childrenOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // gone meanwhile
  }
  const children: number[] = [];
  for (const thread of threads) {
    let listed: string;
    try {
      listed = readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const child of listed.split(' ')) if (child !== '' && child !== '\n') children.push(Number(child));
  }
  return children;
}

/** The process `root` and all its descendants still alive, root first, found through the children files. */
function treeFromChildren(root: number): ProcStat[] {
  const tree: ProcStat[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const stat = readProcStat(pid);
    if (stat === undefined) continue;
    tree.push(stat);
    queue.push(...childrenOf(pid));
  }
  return tree;
}

/** The same tree found by reading every process's stat and following parent ids. */
export function treeFromEveryProcess(root: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat !== undefined) all.push(stat);
  }
  const children = new Map<number, ProcStat[]>();
  for (const stat of all) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const tree: ProcStat[] = [];
  const rootStat = all.find((s) => s.pid === root);
  const queue = rootStat === undefined ? [] : [rootStat];
  while (queue.length > 0) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(children.get(next.pid) ?? []));
  }
  return tree;
}

/** The process `root` and all its descendants still alive, root first. */
export function processTree(root: number): ProcStat[] {
  return kernelListsChildren ? treeFromChildren(root) : treeFromEveryProcess(root);
}

export interface TreeUsage {
  processes: number;
  rssBytes: number;
  cpuSeconds: number;
}

export function treeUsage(root: number): TreeUsage {
  const tree = processTree(root);
  return {
    processes: tree.length,
    rssBytes: tree.reduce((sum, s) => sum + s.rssBytes, 0),
    cpuSeconds: tree.reduce((sum, s) => sum + s.cpuSeconds, 0),
  };
}

/** Samples the tree's RSS every `everyMs` until stopped; resolves to the peak seen. */
export function sampleRssPeak(root: number, everyMs = 200): { stop: () => number } {
  let peak = treeUsage(root).rssBytes;
  const timer = setInterval(() => { peak = Math.max(peak, treeUsage(root).rssBytes); }, everyMs);
  return { stop: () => { clearInterval(timer); return Math.max(peak, treeUsage(root).rssBytes); } };
}
