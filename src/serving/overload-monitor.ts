import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Whether the process is too busy to take more work now; every transport sheds on the same signal. */
export interface OverloadSignal {
  /** Over the limit for long enough to refuse calls: readiness fails while it holds. */
  readonly overloaded: boolean;
  /** The delay behind the decision, for the error message. */
  readonly delayMs: number;
  /** Whether to refuse this one call; without it, every call is refused while `overloaded`. */
  shed?(): boolean;
  start?(): void;
  stop?(): void;
}

// Short enough that shedding follows a surge within a few tens of milliseconds; the histogram takes a
// reading every RESOLUTION_MS, so a window holds a few of them.
const SAMPLE_INTERVAL_MS = 40;
const RESOLUTION_MS = 10;
// Start-up work (module loading, route compilation, warm-up) blocks the loop on purpose; the windows that saw
// it say nothing about load, so the signal is armed only once they have passed.
const ARMING_SAMPLES = 5;
// Windows over the limit in a row before calls are refused. One alone is a stall that has already passed (a long
// garbage collection, the host pausing the process): the calls it held back are served in the next window, and
// refusing new ones then helps nobody. On a shared CI host, one such pause (no request above 20 ms before or after
// it) used to turn away a second of steady, light traffic. Overload keeps the delay up window after window.
const SUSTAINED_WINDOWS = 2;
// How the share of refused calls moves per window: up by a quarter of what is left while the delay is over the
// limit, down by a fixed step while it is under half of it (a slower way down, so it does not overshoot).
const RAISE = 0.25;
const LOWER = 0.02;
// Never refuse everything: a trickle of accepted calls keeps measuring what the server can take.
const MAX_SHARE = 0.98;

/**
 * Watches the event loop's mean delay (as @fastify/under-pressure measures it) and refuses a share of
 * data-plane calls that follows it: while the delay is over the limit the share grows, while it is well
 * under, it shrinks. A server offered three times what it can do then settles at refusing about two calls
 * in three, cheaply, and spends its CPU on the third, instead of swinging between refusing everything and
 * taking everything (which wastes whole windows of capacity, and lets latency grow in the taking ones).
 * Only a delay that lasts counts: the share grows, and readiness fails, from the second window in a row over the limit.
 */
export class OverloadMonitor implements OverloadSignal {
  private histogram: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  private samples = 0;
  private windowsOver = 0;
  /** The share of calls refused now, 0 to MAX_SHARE. */
  share = 0;
  delayMs = 0;

  constructor(private readonly maxDelayMs: number, private readonly random: () => number = Math.random) {}

  get overloaded(): boolean {
    return this.windowsOver >= SUSTAINED_WINDOWS;
  }

  shed(): boolean {
    return this.share > 0 && this.random() < this.share;
  }

  start(): void {
    if (this.maxDelayMs <= 0 || this.timer !== undefined) return;
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS).unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.histogram?.disable();
    this.timer = undefined;
    this.share = 0;
    this.windowsOver = 0;
  }

  /** One window's reading: the delay, then the share of calls to refuse. */
  observe(delayMs: number): void {
    this.delayMs = Math.max(0, delayMs);
    this.samples++;
    if (this.samples <= ARMING_SAMPLES) return;
    this.windowsOver = this.delayMs > this.maxDelayMs ? this.windowsOver + 1 : 0;
    if (this.overloaded) this.share = Math.min(MAX_SHARE, this.share + RAISE * (1 - this.share));
    else if (this.delayMs < this.maxDelayMs / 2) this.share = Math.max(0, this.share - LOWER);
  }

  private sample(): void {
    const histogram = this.histogram!;
    // No reading: the loop was blocked for the whole window, and the histogram's timer, overdue like this one, has
    // not run yet. Its reading (the whole stall) lands in the next window; counting this one too would make one
    // stall two windows in a row.
    if (histogram.count === 0) return;
    const delay = histogram.mean / 1e6 - RESOLUTION_MS;
    histogram.reset();
    this.observe(delay);
  }
}
