/** What a pool can keep: an array with a length and a size in bytes (a Buffer, a typed array). */
interface SizedArray {
  readonly length: number;
  readonly byteLength: number;
}

export interface KeptArraysLimits {
  /** At most this many arrays are kept... */
  readonly arrays: number;
  /** ...and no more bytes than this, so one very large call does not stay pinned after it. */
  readonly bytes: number;
  /** A new array has at least this length. */
  readonly smallestLength: number;
}

/**
 * Large arrays kept for reuse, for calls that each need one for a moment (a batch's body, its encoded matrix) and
 * can say when they are done with it. An array allocated per call lives outside V8's heap until a collection finds
 * it dead: at hundreds of batches a second that was most of the server's resident memory under batch load, and the
 * allocations and the collections they forced cost a share of each batch's CPU (docs/server.md, Memory).
 *
 * A new array is sized to the next power of two, so the next call, a little larger, still fits. Contents are stale:
 * the caller clears what it needs cleared.
 */
export class KeptArrays<T extends SizedArray> {
  private readonly free: T[] = [];
  private keptBytes = 0;

  constructor(private readonly allocate: (length: number) => T, private readonly limits: KeptArraysLimits) {}

  /** An array of at least `length`: the smallest kept one that fits, else a new one. */
  take(length: number): T {
    const free = this.free;
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      const candidate = free[i]!.length;
      if (candidate >= length && (best < 0 || candidate < free[best]!.length)) best = i;
    }
    if (best < 0) return this.allocate(Math.max(this.limits.smallestLength, 2 ** Math.ceil(Math.log2(Math.max(length, 1)))));
    const [array] = free.splice(best, 1) as [T];
    this.keptBytes -= array.byteLength;
    return array;
  }

  /** Gives an array back once nothing reads it any more; kept while there is room. */
  give(array: T): void {
    if (this.free.length >= this.limits.arrays || this.keptBytes + array.byteLength > this.limits.bytes) return;
    this.free.push(array);
    this.keptBytes += array.byteLength;
  }

  /** Bytes held for reuse (for tests). */
  get kept(): number {
    return this.keptBytes;
  }
}
