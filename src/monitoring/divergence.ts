/**
 * Divergences between a reference histogram and a live one, bin for bin. Both are turned into shares with
 * additive smoothing (half a count per bin), so a bin that is empty on one side gives a large but finite
 * value instead of infinity; bins empty on both sides are left out (a non-nullable feature's missing bin).
 */

const SMOOTHING = 0.5;

function shares(reference: ArrayLike<number>, live: ArrayLike<number>): { p: number[]; q: number[] } {
  const used: number[] = [];
  for (let i = 0; i < reference.length; i++) if (reference[i]! > 0 || live[i]! > 0) used.push(i);
  const total = (counts: ArrayLike<number>) => used.reduce((sum, i) => sum + counts[i]!, 0) + SMOOTHING * used.length;
  const referenceTotal = total(reference);
  const liveTotal = total(live);
  return {
    p: used.map((i) => (reference[i]! + SMOOTHING) / referenceTotal),
    q: used.map((i) => (live[i]! + SMOOTHING) / liveTotal),
  };
}

/**
 * Population stability index: Σ (live − reference) · ln(live / reference) over the bins. The usual reading:
 * below 0.1 no shift, 0.1 to 0.2 a moderate one, above 0.2 a significant one.
 */
export function populationStabilityIndex(reference: ArrayLike<number>, live: ArrayLike<number>): number {
  const { p, q } = shares(reference, live);
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += (q[i]! - p[i]!) * Math.log(q[i]! / p[i]!);
  return sum;
}

/** Jensen-Shannon divergence in bits: 0 for the same distribution, 1 for disjoint ones; symmetric. */
export function jensenShannonDivergence(reference: ArrayLike<number>, live: ArrayLike<number>): number {
  const { p, q } = shares(reference, live);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    sum += p[i]! * Math.log2(p[i]! / m) + q[i]! * Math.log2(q[i]! / m);
  }
  return Math.max(0, sum / 2);
}
