/**
 * Memory and CPU of a server as the sum over its process tree, from /proc (Linux). A Python server is often
 * several processes (MLflow's wrapper and its uvicorn worker, BentoML's supervisor and its worker): a
 * user pays for all of them.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
  /** user + system CPU seconds */
  cpuSeconds: number;
  rssBytes: number;
}

const pageSize = 4096;
const clockTicks = 100; // USER_HZ on Linux

function readStat(pid: number): ProcStat | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: split after its closing parenthesis.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicks,
      rssBytes: Number(fields[21]) * pageSize,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The process `root` and all its descendants still alive. */
export function processTree(root: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
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
