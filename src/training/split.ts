import { createHash } from 'node:crypto';

/**
 * Deterministic stratified split, reproducible by anyone from the ids alone:
 * within each class, rows are ordered by sha256(`${seed}:${salt}:${id}`) (hex, ascending) and the first
 * round(fraction x class size) rows are held out. The test split uses salt "test"; the validation slice
 * is then taken from the remaining rows with salt "validation".
 */
export interface SplitIndices {
  readonly kept: Uint32Array;
  readonly heldOut: Uint32Array;
}

export function splitKey(seed: number, salt: string, id: string): string {
  return createHash('sha256').update(`${seed}:${salt}:${id}`).digest('hex');
}

export function stratifiedSplit(
  rows: readonly number[],
  ids: readonly string[],
  labels: ArrayLike<number>,
  fraction: number,
  seed: number,
  salt: string,
): SplitIndices {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError('fraction must be within (0, 1)');
  const heldOut: number[] = [];
  const kept: number[] = [];
  for (const label of [0, 1]) {
    const members = rows.filter((r) => labels[r] === label);
    const keyed = members.map((r) => ({ r, key: splitKey(seed, salt, ids[r]!) }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.r - b.r));
    const count = Math.round(fraction * members.length);
    keyed.forEach(({ r }, i) => (i < count ? heldOut : kept).push(r));
  }
  const ascending = (a: number, b: number) => a - b;
  return { kept: Uint32Array.from(kept.sort(ascending)), heldOut: Uint32Array.from(heldOut.sort(ascending)) };
}

export interface TrainValidTestSplit {
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
  readonly test: Uint32Array;
}

export const TEST_FRACTION = 0.2;
export const VALIDATION_FRACTION = 0.15;

export function trainValidTestSplit(ids: readonly string[], labels: ArrayLike<number>, seed: number): TrainValidTestSplit {
  const all = Array.from({ length: ids.length }, (_, r) => r);
  const outer = stratifiedSplit(all, ids, labels, TEST_FRACTION, seed, 'test');
  const inner = stratifiedSplit(Array.from(outer.kept), ids, labels, VALIDATION_FRACTION, seed, 'validation');
  return { train: inner.kept, validation: inner.heldOut, test: outer.heldOut };
}
