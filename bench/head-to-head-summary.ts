import { median, percentile } from './bench-report.js';
import type { LoadResult } from './load-targets.js';

/** One round: both sides' loads, run at the same time. */
export interface HeadToHeadRound {
  readonly ours: LoadResult;
  readonly theirs: LoadResult;
}

export interface HeadToHeadSummary {
  /** This build's throughput over the other's, each round, by pair. */
  readonly ratios: number[][];
  readonly median: number;
  readonly lowerQuartile: number;
  readonly upperQuartile: number;
  /** Each pair's median: their spread is the error of one pair of processes. */
  readonly pairMedians: number[];
}

/** The rounds' ratios (answered requests per second, ours over theirs), their median and quartiles, and each pair's median. */
export function summariseHeadToHead(pairs: readonly (readonly HeadToHeadRound[])[]): HeadToHeadSummary {
  const ratios = pairs.map((rounds) => rounds.map(({ ours, theirs }) => ours.okPerSecond / theirs.okPerSecond));
  const all = ratios.flat();
  if (all.length === 0) throw new Error('no rounds to summarise');
  return {
    ratios,
    median: median(all),
    lowerQuartile: percentile(all, 0.25),
    upperQuartile: percentile(all, 0.75),
    pairMedians: ratios.map((pair) => median(pair)),
  };
}

/** Which side starts first in a pair (and gets its generator started first in a round): ours in even ones. */
export function oursFirst(index: number): boolean {
  return index % 2 === 0;
}
