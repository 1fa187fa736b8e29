import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Whether the process is too busy to take more work now; every transport sheds on the same signal. */
export interface OverloadSignal {
  readonly overloaded: boolean;
  /** The delay behind the decision, for the error message. */
  readonly delayMs: number;
  start?(): void;
  stop?(): void;
}

// How often the mean event-loop delay is sampled: short enough that shedding starts and stops promptly.
const SAMPLE_INTERVAL_MS = 200;
// Start-up work (module loading, route compilation, warm-up) blocks the loop on purpose; the windows that saw
// it say nothing about load, so the signal is armed only once they have passed.
const ARMING_SAMPLES = 2;
const RESOLUTION_MS = 10;

/**
 * Samples the event loop's mean delay every 200 ms and reports overload while it is above the limit, so
 * data-plane work is refused with 503 OVERLOADED (and readiness fails) instead of letting latency grow
 * without bound.
 */
export class OverloadMonitor implements OverloadSignal {
  private histogram: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  private samples = 0;
  private lastSample = 0;
  delayMs = 0;

  constructor(private readonly maxDelayMs: number) {}

  get overloaded(): boolean {
    return this.samples > ARMING_SAMPLES && this.delayMs > this.maxDelayMs;
  }

  start(): void {
    if (this.maxDelayMs <= 0 || this.timer !== undefined) return;
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.lastSample = performance.now();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS).unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.histogram?.disable();
    this.timer = undefined;
  }

  private sample(): void {
    const now = performance.now();
    const late = now - this.lastSample - SAMPLE_INTERVAL_MS;
    this.lastSample = now;
    const histogram = this.histogram!;
    // The mean of the window's samples, as @fastify/under-pressure measures it; a loop blocked for the whole
    // window left no sample, and then the sampling timer's own lateness is the delay.
    const delay = histogram.count > 0 ? histogram.mean / 1e6 - RESOLUTION_MS : late;
    histogram.reset();
    this.delayMs = Math.max(0, delay);
    this.samples++;
  }
}
