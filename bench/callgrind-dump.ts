/** A callgrind dump's totals by event name: Ir always; with --cache-sim and --branch-sim, the simulated caches' and branch predictor's. */
export type DumpTotals = Readonly<Record<string, number>>;

/** The totals of a callgrind dump (its `events:` line names the columns of its `summary:` line); undefined when it has neither. */
export function dumpTotals(dump: string): DumpTotals | undefined {
  const events = /^events: (.+)$/m.exec(dump)?.[1]?.trim().split(/\s+/);
  const summary = /^summary: (.+)$/m.exec(dump)?.[1]?.trim().split(/\s+/).map(Number);
  if (events === undefined || summary === undefined || summary.some((n) => !Number.isFinite(n))) return undefined;
  // A dump leaves off trailing columns that are zero.
  return Object.fromEntries(events.map((event, i) => [event, summary[i] ?? 0]));
}

/** What the cache and branch simulations say about some work (totals, or totals per request). */
export interface Simulated {
  instructions: number;
  /** Reads and writes that missed the first-level caches (instruction and data). */
  l1Misses: number;
  /** Of those, the ones that missed the last level too: memory accesses. */
  memoryAccesses: number;
  /** Conditional and indirect branches the simulated predictor got wrong. */
  mispredictedBranches: number;
  /**
   * Cycles as iai-callgrind estimates them from the same events: 1 per first-level hit, 5 per last-level hit and 35
   * per memory access. A model of a CPU, not a measurement of one; it leaves mispredicted branches out.
   */
  estimatedCycles: number;
}

/** The simulations' figures from a dump's totals divided by `per` (requests); undefined when callgrind ran without them. */
export function simulated(totals: DumpTotals, per = 1): Simulated | undefined {
  const event = (name: string): number => totals[name] ?? 0;
  if (!('I1mr' in totals) || !('Bcm' in totals)) return undefined;
  const accesses = event('Ir') + event('Dr') + event('Dw');
  const l1Misses = event('I1mr') + event('D1mr') + event('D1mw');
  const memoryAccesses = event('ILmr') + event('DLmr') + event('DLmw');
  const estimatedCycles = accesses - l1Misses + 5 * (l1Misses - memoryAccesses) + 35 * memoryAccesses;
  return {
    instructions: event('Ir') / per,
    l1Misses: l1Misses / per,
    memoryAccesses: memoryAccesses / per,
    mispredictedBranches: (event('Bcm') + event('Bim')) / per,
    estimatedCycles: estimatedCycles / per,
  };
}
