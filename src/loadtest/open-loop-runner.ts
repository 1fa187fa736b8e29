import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { ArrivalSchedule } from './arrival-schedule.js';
import { LatencyHistogram } from './latency-histogram.js';
import { errorKindOf, type ErrorKind } from './request-outcome.js';
import { RunTimeline, type TimelinePoint } from './run-timeline.js';
import type { TrafficProfile } from './traffic-profiles.js';

export interface OpenLoopOptions {
  /** Origin, e.g. http://127.0.0.1:8000 */
  origin: string;
  /** Request path, including any prefix of the target URL. */
  path: string;
  bodies: readonly Buffer[];
  headers: Record<string, string>;
  profile: TrafficProfile;
  connections: number;
  /** Arrivals beyond this many outstanding requests are dropped (and counted), which bounds memory. */
  maxInFlight: number;
  timeoutMs: number;
  timelineIntervalMs: number;
  /** A request sent later than this after its scheduled time counts as late. */
  lateSendMs: number;
  signal?: AbortSignal;
  onInterval?: (snapshot: RunSnapshot) => void;
}

/** What live progress shows once per timeline interval. */
export interface RunSnapshot {
  elapsedSeconds: number;
  durationSeconds: number;
  offeredRpsNow: number;
  interval: TimelinePoint | undefined;
  sent: number;
  ok: number;
  failed: number;
  inFlight: number;
  statuses: ReadonlyMap<number, number>;
  lateSends: number;
}

/** Everything the run counted; the report is built from it. */
export interface RunOutcome {
  offered: number;
  sent: number;
  ok: number;
  failed: number;
  statuses: Map<number, number>;
  errorsByKind: Map<ErrorKind, number>;
  latency: LatencyHistogram;
  sendLag: LatencyHistogram;
  lateSends: number;
  waitedForConnection: number;
  maxInFlightSeen: number;
  elapsedSeconds: number;
  generatorCpuSeconds: number;
  timeline: TimelinePoint[];
  aborted: boolean;
}

/** Per-request undici handler: carries the scheduled time so latency is measured from it. */
class ResponseHandler implements Dispatcher.DispatchHandler {
  private status = 0;

  constructor(
    private readonly run: OpenLoopRunner,
    private readonly scheduledMs: number,
  ) {}

  onRequestStart(): void {
    // Nothing to do before sending; undici recognises this style of handler by this method.
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(): void {
    // The body is drained and discarded: only status and timing matter here.
  }

  onResponseEnd(): void {
    this.run.completed(this.scheduledMs, this.status);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.run.errored(this.scheduledMs, error);
  }
}

/**
 * Open-loop load: each request is sent at its scheduled arrival time whatever the server is doing, and its
 * latency runs from that scheduled time, so a stalled server shows as latency instead of as fewer requests
 * (no coordinated omission). How late the generator itself sends is measured too, so a saturated
 * generator is reported rather than mistaken for a slow server.
 */
export class OpenLoopRunner {
  private readonly options: OpenLoopOptions;
  private readonly pool: Pool;
  private readonly schedule: ArrivalSchedule;
  private readonly timeline: RunTimeline;
  private readonly latency = new LatencyHistogram();
  private readonly sendLag = new LatencyHistogram();
  private readonly statuses = new Map<number, number>();
  private readonly errorsByKind = new Map<ErrorKind, number>();
  private readonly headers: Record<string, string>;
  private startMs = 0;
  private nextMs: number | undefined;
  private offered = 0;
  private sent = 0;
  private ok = 0;
  private failed = 0;
  private inFlight = 0;
  private maxInFlightSeen = 0;
  private lateSends = 0;
  private waitedForConnection = 0;
  private lastCompletionMs = 0;
  private aborted = false;
  /** Set once the run is over: late callbacks (from destroying the pool) must not count twice. */
  private closed = false;
  private draining = false;
  private timer: NodeJS.Timeout | undefined;
  private finish: (() => void) | undefined;

  constructor(options: OpenLoopOptions) {
    this.options = options;
    this.pool = new Pool(options.origin, {
      connections: options.connections,
      pipelining: 1,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      keepAliveTimeout: 60_000,
    });
    this.schedule = new ArrivalSchedule(options.profile);
    this.timeline = new RunTimeline(options.timelineIntervalMs);
    this.headers = { 'content-type': 'application/json', ...options.headers };
  }

  private now(): number {
    return performance.now() - this.startMs;
  }

  async run(): Promise<RunOutcome> {
    const cpuBefore = process.cpuUsage();
    this.startMs = performance.now();
    const arrival = this.schedule.next();
    this.nextMs = arrival === undefined ? undefined : arrival * 1000;
    const onAbort = () => {
      this.aborted = true;
      this.nextMs = undefined;
      clearTimeout(this.timer);
      if (this.finish !== undefined) this.drain();
    };
    this.options.signal?.addEventListener('abort', onAbort, { once: true });
    if (this.options.signal?.aborted) onAbort();
    const progress = setInterval(() => this.reportInterval(), this.options.timelineIntervalMs);
    try {
      await new Promise<void>((resolve) => {
        this.finish = resolve;
        this.tick();
      });
    } finally {
      this.closed = true;
      clearInterval(progress);
      clearTimeout(this.timer);
      this.options.signal?.removeEventListener('abort', onAbort);
      await this.pool.destroy().catch(() => undefined);
    }
    const cpu = process.cpuUsage(cpuBefore);
    const endMs = Math.max(this.lastCompletionMs, Math.min(this.now(), this.options.profile.durationSeconds * 1000));
    return {
      offered: this.offered,
      sent: this.sent,
      ok: this.ok,
      failed: this.failed,
      statuses: this.statuses,
      errorsByKind: this.errorsByKind,
      latency: this.latency,
      sendLag: this.sendLag,
      lateSends: this.lateSends,
      waitedForConnection: this.waitedForConnection,
      maxInFlightSeen: this.maxInFlightSeen,
      elapsedSeconds: endMs / 1000,
      generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
      timeline: this.timeline.points(),
      aborted: this.aborted,
    };
  }

  /** Sends everything due, then sleeps until the next arrival. */
  private readonly tick = (): void => {
    const now = this.now();
    while (this.nextMs !== undefined && this.nextMs <= now) {
      this.send(this.nextMs, now);
      const arrival = this.schedule.next();
      this.nextMs = arrival === undefined ? undefined : arrival * 1000;
    }
    if (this.nextMs === undefined) {
      this.drain();
      return;
    }
    // Timers have about 1 ms resolution; spinning for better would burn a core the server may need.
    this.timer = setTimeout(this.tick, Math.max(1, Math.floor(this.nextMs - this.now())));
  };

  private send(scheduledMs: number, now: number): void {
    this.offered++;
    this.timeline.offered(scheduledMs);
    if (this.inFlight >= this.options.maxInFlight) {
      this.fail(now, 'dropped');
      return;
    }
    const lag = now - scheduledMs;
    this.sendLag.record(lag);
    if (lag > this.options.lateSendMs) this.lateSends++;
    if (this.inFlight >= this.options.connections) this.waitedForConnection++;
    this.inFlight++;
    if (this.inFlight > this.maxInFlightSeen) this.maxInFlightSeen = this.inFlight;
    this.sent++;
    const { origin, path, bodies } = this.options;
    // A fresh options object each time: the pool may queue it until a connection is free.
    const body = bodies[this.sent % bodies.length]!;
    this.pool.dispatch({ origin, path, method: 'POST', headers: this.headers, body }, new ResponseHandler(this, scheduledMs));
  }

  completed(scheduledMs: number, status: number): void {
    if (this.closed) return;
    const now = this.now();
    const latencyMs = now - scheduledMs;
    const ok = status >= 200 && status < 300;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    this.latency.record(latencyMs);
    this.timeline.response(now, latencyMs, ok);
    if (ok) this.ok++;
    else this.fail(now, 'http_status');
    this.settle(now);
  }

  errored(_scheduledMs: number, error: Error): void {
    if (this.closed) return;
    const now = this.now();
    this.fail(now, errorKindOf(error));
    this.settle(now);
  }

  private fail(now: number, kind: ErrorKind): void {
    this.failed++;
    this.errorsByKind.set(kind, (this.errorsByKind.get(kind) ?? 0) + 1);
    this.timeline.failure(now, kind);
  }

  private settle(now: number): void {
    this.inFlight--;
    this.lastCompletionMs = now;
    if (this.nextMs === undefined && this.inFlight === 0) this.finish?.();
  }

  /**
   * After the last arrival: wait for outstanding responses. undici's timeouts should end them; the deadline
   * is a backstop, counting whatever is still outstanding then as timed out.
   */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    if (this.inFlight === 0) {
      this.finish?.();
      return;
    }
    this.timer = setTimeout(() => {
      const now = this.now();
      for (; this.inFlight > 0; this.inFlight--) this.fail(now, 'timeout');
      this.finish?.();
    }, this.options.timeoutMs + 2000);
  }

  private reportInterval(): void {
    const now = this.now();
    this.timeline.advanceTo(now);
    this.options.onInterval?.({
      elapsedSeconds: now / 1000,
      durationSeconds: this.options.profile.durationSeconds,
      offeredRpsNow: this.options.profile.rateAt(Math.min(now / 1000, this.options.profile.durationSeconds)),
      interval: this.timeline.lastClosed(),
      sent: this.sent,
      ok: this.ok,
      failed: this.failed,
      inFlight: this.inFlight,
      statuses: this.statuses,
      lateSends: this.lateSends,
    });
  }
}
