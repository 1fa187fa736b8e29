/**
 * The counts of the last N records, or of the records of the last T seconds, over a fixed set of slots (the
 * bins of every feature and of the score). A record is `stride` slot indices; adding one never allocates.
 */
export type DriftWindowSpec = { readonly kind: 'records'; readonly size: number } | { readonly kind: 'time'; readonly seconds: number };

export interface SlidingCounts {
  /** Window totals per slot. */
  readonly totals: Int32Array;
  /** Records in the window. */
  readonly records: number;
  /** Sum of the scores in the window. */
  readonly scoreSum: number;
  /** Adds one record: the `stride` slot indices at slots[at..], and its score. */
  add(slots: Uint16Array, at: number, score: number): void;
}

/**
 * The last `size` records: a ring of their slot indices. Adding a record only copies its slots into the ring; the
 * totals are counted from the ring when next read (a scrape or a drift report, seconds apart), as keeping them
 * current cost every scored record an increment and a decrement per slot.
 */
export class RecordWindow implements SlidingCounts {
  records = 0;
  scoreSum = 0;
  private readonly counts: Int32Array;
  /** Records were added since the totals were last counted. */
  private stale = false;
  private readonly ring: Uint16Array;
  private readonly scores: Float64Array;
  private next = 0;

  constructor(slots: number, private readonly stride: number, private readonly size: number) {
    this.counts = new Int32Array(slots);
    this.ring = new Uint16Array(size * stride);
    this.scores = new Float64Array(size);
  }

  get totals(): Int32Array {
    if (this.stale) {
      const { counts, ring } = this;
      counts.fill(0);
      // The ring fills from its start and is full before it wraps: its first records * stride slots are the window.
      const used = this.records * this.stride;
      for (let i = 0; i < used; i++) counts[ring[i]!]!++;
      this.stale = false;
    }
    return this.counts;
  }

  add(slots: Uint16Array, from: number, score: number): void {
    const { ring, stride } = this;
    const at = this.next * stride;
    if (this.records === this.size) this.scoreSum -= this.scores[this.next]!;
    else this.records++;
    for (let k = 0; k < stride; k++) ring[at + k] = slots[from + k]!;
    this.scores[this.next] = score;
    this.scoreSum += score;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
    this.stale = true;
  }
}

/** Slices a time window is cut into: it moves forward one slice (1/60 of its length) at a time. */
export const TIME_SLICES = 60;

/**
 * The records of the last `seconds`: counts per slice of the window, and their totals. A slice that falls out of
 * the window is subtracted from the totals when the clock is next read (on add, or on read through `advance`).
 */
export class TimeWindow implements SlidingCounts {
  readonly totals: Int32Array;
  records = 0;
  scoreSum = 0;
  private readonly slices: Int32Array[];
  private readonly sliceRecords: Int32Array;
  private readonly sliceScores: Float64Array;
  private readonly sliceMs: number;
  /** The absolute number (time / sliceMs) of the newest slice. */
  private current: number;

  constructor(slots: number, private readonly stride: number, seconds: number, private readonly clock: () => number) {
    this.totals = new Int32Array(slots);
    this.slices = Array.from({ length: TIME_SLICES }, () => new Int32Array(slots));
    this.sliceRecords = new Int32Array(TIME_SLICES);
    this.sliceScores = new Float64Array(TIME_SLICES);
    this.sliceMs = (seconds * 1000) / TIME_SLICES;
    this.current = Math.floor(clock() / this.sliceMs);
  }

  /** Drops the slices older than the window; called before every add and every read. */
  advance(): void {
    const now = Math.floor(this.clock() / this.sliceMs);
    if (now === this.current) return;
    // Past a whole window everything expires: at most TIME_SLICES slices to clear.
    const steps = Math.min(now - this.current, TIME_SLICES);
    for (let s = 1; s <= steps; s++) {
      const index = (this.current + s) % TIME_SLICES;
      const slice = this.slices[index]!;
      if (this.sliceRecords[index] === 0) continue;
      for (let k = 0; k < slice.length; k++) this.totals[k]! -= slice[k]!;
      slice.fill(0);
      this.records -= this.sliceRecords[index]!;
      this.scoreSum -= this.sliceScores[index]!;
      this.sliceRecords[index] = 0;
      this.sliceScores[index] = 0;
    }
    this.current = now;
  }

  add(slots: Uint16Array, from: number, score: number): void {
    this.advance();
    const index = this.current % TIME_SLICES;
    const slice = this.slices[index]!;
    for (let k = 0; k < this.stride; k++) {
      const slot = slots[from + k]!;
      slice[slot]!++;
      this.totals[slot]!++;
    }
    this.sliceRecords[index]!++;
    this.sliceScores[index]! += score;
    this.records++;
    this.scoreSum += score;
  }
}
