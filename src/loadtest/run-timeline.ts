import { LatencyHistogram } from './latency-histogram.js';
import type { ErrorKind } from './request-outcome.js';

/** One interval of a run, for the charts. Latency is of responses completed in the interval. */
export interface TimelinePoint {
  /** Start of the interval, seconds from the start of the run. */
  t: number;
  /** Arrivals scheduled in the interval, per second. */
  offeredRps: number;
  /** 2xx responses completed in the interval, per second. */
  achievedRps: number;
  /** Failed requests (any kind) in the interval, per second. */
  errorsPerSecond: number;
  errorsByKind: Partial<Record<ErrorKind, number>>;
  /** Latency percentiles of the interval's responses; null when none completed. */
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

interface Bucket {
  offered: number;
  ok: number;
  errors: number;
  errorsByKind: Partial<Record<ErrorKind, number>>;
  latency: { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number } | null;
}

const emptyBucket = (): Bucket => ({ offered: 0, ok: 0, errors: 0, errorsByKind: {}, latency: null });

/**
 * Per-interval counts and latency. Responses arrive in time order, so only the current interval needs a live
 * histogram; older ones are reduced to their percentiles, which keeps hours-long runs in bounded memory.
 * Each latency is recorded once, in the live histogram, which is added to `total` (the whole run's) when its
 * interval closes: `total` is complete once `points()` has been called.
 */
export class RunTimeline {
  readonly intervalMs: number;
  readonly total: LatencyHistogram;
  private readonly buckets: Bucket[] = [];
  private readonly live = new LatencyHistogram();
  private liveIndex = 0;

  constructor(intervalMs: number, total: LatencyHistogram = new LatencyHistogram()) {
    this.intervalMs = intervalMs;
    this.total = total;
  }

  private bucket(index: number): Bucket {
    while (this.buckets.length <= index) this.buckets.push(emptyBucket());
    return this.buckets[index]!;
  }

  offered(scheduledMs: number): void {
    this.bucket(Math.floor(scheduledMs / this.intervalMs)).offered++;
  }

  response(nowMs: number, latencyMs: number, ok: boolean): void {
    const index = this.advanceTo(nowMs);
    const bucket = this.bucket(index);
    if (ok) bucket.ok++;
    this.live.record(latencyMs);
  }

  failure(nowMs: number, kind: ErrorKind): void {
    const bucket = this.bucket(Math.max(this.liveIndex, Math.floor(nowMs / this.intervalMs)));
    bucket.errors++;
    bucket.errorsByKind[kind] = (bucket.errorsByKind[kind] ?? 0) + 1;
  }

  /** Closes the intervals before `nowMs`; returns the index of the current one. */
  advanceTo(nowMs: number): number {
    const index = Math.floor(nowMs / this.intervalMs);
    if (index > this.liveIndex) {
      this.closeLive();
      this.liveIndex = index;
    }
    return this.liveIndex;
  }

  private closeLive(): void {
    if (this.live.count === 0) return;
    const h = this.live; // only what the charts show: each percentile is a walk over the histogram
    this.bucket(this.liveIndex).latency = { p50Ms: h.percentileMs(50), p90Ms: h.percentileMs(90), p99Ms: h.percentileMs(99), maxMs: h.maxMs };
    this.total.add(h);
    this.live.reset();
  }

  /** The last closed interval, for live progress. */
  lastClosed(): TimelinePoint | undefined {
    return this.liveIndex === 0 ? undefined : this.point(this.liveIndex - 1);
  }

  private point(index: number): TimelinePoint {
    const b = this.buckets[index] ?? emptyBucket();
    // Always over the full interval, so rates x interval add up to the counts; a last, partial interval
    // (responses arriving after the profile's end) reads low rather than spiking.
    const perSecond = 1000 / this.intervalMs;
    return {
      t: (index * this.intervalMs) / 1000,
      offeredRps: b.offered * perSecond,
      achievedRps: b.ok * perSecond,
      errorsPerSecond: b.errors * perSecond,
      errorsByKind: { ...b.errorsByKind },
      p50Ms: b.latency?.p50Ms ?? null,
      p90Ms: b.latency?.p90Ms ?? null,
      p99Ms: b.latency?.p99Ms ?? null,
      maxMs: b.latency?.maxMs ?? null,
    };
  }

  /** Every interval up to the last one with any activity; closes the current one. */
  points(): TimelinePoint[] {
    this.closeLive();
    return this.buckets.map((_, i) => this.point(i));
  }
}
