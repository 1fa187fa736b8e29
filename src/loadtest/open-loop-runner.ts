import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import type { Dispatcher } from 'undici';
import { ArrivalSchedule } from './arrival-schedule.js';
import { LatencyHistogram } from './latency-histogram.js';
import { errorKindOf, type ErrorKind } from './request-outcome.js';
import { RunTimeline, type TimelinePoint } from './run-timeline.js';
import type { TrafficProfile } from '../traffic/traffic-profile.js';

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
  /**
   * Seconds of load at the profile's starting rate before the measured run, on the same connections, counted
   * nowhere. The first moments of a run measure the generator and the server warming up (connections opening,
   * code not yet optimised), not the server's steady latency. Default 0.
   */
  warmupSeconds?: number;
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

/**
 * One keep-alive connection: an undici `Client` with at most one request of ours on it at a time (no
 * pipelining), and the dispatch handler of that request. The handler is reused from request to request, so
 * the send path allocates nothing of ours: no handler, no closure, no Promise per request.
 *
 * It implements undici's core handler interface (onConnect/onHeaders/onData/onComplete/onError), which the
 * client calls directly. (undici 7's types mark it deprecated in favour of onRequestStart/onResponse*, but
 * that interface is adapted onto this one by a wrapper and a controller per request, which also parse every
 * response's headers into an object; only the status is needed here. The profile showed both.)
 */
class Connection implements Dispatcher.DispatchHandler {
  /** When the request now on this connection was scheduled (ms from the start of the run). */
  scheduledMs = 0;
  status = 0;

  constructor(
    private readonly run: OpenLoopRunner,
    readonly client: Client,
  ) {}

  onConnect(): void {
    // Nothing to do before sending.
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode; // a 1xx is followed by the final status
    return true;
  }

  onData(): boolean {
    return true; // the body is discarded: only status and timing matter here
  }

  onComplete(): void {
    this.run.completed(this);
  }

  onError(error: Error): void {
    this.run.errored(this, error);
  }
}

/**
 * Requests that arrived while every connection was busy, in arrival order: their scheduled times and body
 * indices in two growable ring buffers (typed arrays, so queueing allocates nothing per request).
 */
export class WaitingRequests {
  private scheduledMs = new Float64Array(1024);
  private bodyIndex = new Uint32Array(1024);
  private head = 0;
  length = 0;

  push(scheduledMs: number, bodyIndex: number): void {
    if (this.length === this.scheduledMs.length) this.grow();
    const i = (this.head + this.length) % this.scheduledMs.length;
    this.scheduledMs[i] = scheduledMs;
    this.bodyIndex[i] = bodyIndex;
    this.length++;
  }

  /** The oldest request's scheduled time; call `shiftBody` next to remove it. */
  peekScheduledMs(): number {
    return this.scheduledMs[this.head]!;
  }

  shiftBody(): number {
    const body = this.bodyIndex[this.head]!;
    this.head = (this.head + 1) % this.scheduledMs.length;
    this.length--;
    return body;
  }

  private grow(): void {
    const capacity = this.scheduledMs.length * 2;
    const scheduled = new Float64Array(capacity);
    const bodies = new Uint32Array(capacity);
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) % this.scheduledMs.length;
      scheduled[k] = this.scheduledMs[i]!;
      bodies[k] = this.bodyIndex[i]!;
    }
    this.scheduledMs = scheduled;
    this.bodyIndex = bodies;
    this.head = 0;
  }
}

/**
 * Open-loop load: each request is sent at its scheduled arrival time whatever the server is doing, and its
 * latency runs from that scheduled time, so a stalled server shows as latency instead of as fewer requests
 * (no coordinated omission). How late the generator itself sends is measured too, so a saturated
 * generator is reported rather than mistaken for a slow server.
 *
 * The keep-alive pool is `connections` undici Clients, opened as needed, each with one request at a time.
 * A request that finds them all busy waits in a FIFO queue, and takes the first connection to free up;
 * that wait is in its latency, as with undici's Pool, which this replaces on the hot path because
 * managing the clients here lets each connection's handler be reused.
 */
export class OpenLoopRunner {
  private readonly options: OpenLoopOptions;
  private readonly clientOptions: Client.Options;
  private readonly schedule: ArrivalSchedule;
  /** Warm-up arrivals, before the measured ones; their times are negative (the measured run starts at 0). */
  private warmup: { schedule: ArrivalSchedule; offsetMs: number } | undefined;
  private readonly timeline: RunTimeline;
  private readonly latency = new LatencyHistogram();
  private readonly sendLag = new LatencyHistogram();
  private readonly statuses = new Map<number, number>();
  private readonly errorsByKind = new Map<ErrorKind, number>();
  /** Every connection opened so far, and the ones with no request on them (most recently freed last). */
  private readonly connections: Connection[] = [];
  private readonly idle: Connection[] = [];
  private readonly waiting = new WaitingRequests();
  /** One dispatch-options object, refilled per request: undici reads it synchronously into its own Request. */
  private readonly dispatchOptions: Dispatcher.DispatchOptions;
  private readonly bodies: readonly Buffer[];
  private readonly maxConnections: number;
  private readonly maxInFlight: number;
  private readonly lateSendMs: number;
  private startMs = 0;
  private nextMs: number | undefined;
  private offered = 0;
  private sent = 0;
  private warmupSent = 0;
  private ok = 0;
  private failed = 0;
  /** Requests sent and not yet settled, including those waiting for a connection. */
  private inFlight = 0;
  private maxInFlightSeen = 0;
  private lateSends = 0;
  private waitedForConnection = 0;
  private lastCompletionMs = 0;
  private aborted = false;
  /** Set once the run is over: late callbacks (from destroying the clients) must not count twice. */
  private closed = false;
  private draining = false;
  private pumpScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  /** The generator's CPU time when the measured run began. */
  private cpuBefore: NodeJS.CpuUsage | undefined;
  private finish: (() => void) | undefined;

  constructor(options: OpenLoopOptions) {
    this.options = options;
    this.clientOptions = {
      pipelining: 1,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      keepAliveTimeout: 60_000,
    };
    this.schedule = new ArrivalSchedule(options.profile);
    const warmupSeconds = options.warmupSeconds ?? 0;
    if (warmupSeconds > 0) {
      const rate = options.profile.rateAt(0);
      const profile = { name: 'warm-up', durationSeconds: warmupSeconds, rateAt: () => rate };
      this.warmup = { schedule: new ArrivalSchedule(profile), offsetMs: warmupSeconds * 1000 };
    }
    this.timeline = new RunTimeline(options.timelineIntervalMs, this.latency);
    // Headers as a flat [name, value, ...] list, built once; undici validates and serialises them per request.
    const headers = { 'content-type': 'application/json', ...options.headers };
    this.dispatchOptions = { origin: options.origin, path: options.path, method: 'POST', headers: Object.entries(headers).flat(), body: null };
    this.bodies = options.bodies;
    this.maxConnections = options.connections;
    this.maxInFlight = options.maxInFlight;
    this.lateSendMs = options.lateSendMs;
  }

  private now(): number {
    return performance.now() - this.startMs;
  }

  async run(): Promise<RunOutcome> {
    this.cpuBefore = process.cpuUsage();
    this.startMs = performance.now() + (this.warmup?.offsetMs ?? 0);
    this.nextMs = this.nextArrivalMs();
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
      await Promise.all(this.connections.map((c) => c.client.destroy().catch(() => undefined)));
    }
    const cpu = process.cpuUsage(this.cpuBefore);
    const endMs = Math.max(this.lastCompletionMs, Math.min(this.now(), this.options.profile.durationSeconds * 1000));
    const timeline = this.timeline.points(); // closes the last interval, which completes `latency`
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
      timeline,
      aborted: this.aborted,
    };
  }

  /** Sends everything due, in one batch, then sleeps until the next arrival. */
  private readonly tick = (): void => {
    const now = this.now();
    while (this.nextMs !== undefined && this.nextMs <= now) {
      if (this.nextMs < 0) this.sendUnmeasured(this.nextMs);
      else this.send(this.nextMs, now);
      this.nextMs = this.nextArrivalMs();
    }
    if (this.nextMs === undefined) {
      this.drain();
      return;
    }
    // Timers have about 1 ms resolution; spinning for better would burn a core the server may need.
    this.timer = setTimeout(this.tick, Math.max(1, Math.floor(this.nextMs - this.now())));
  };

  /** The next arrival in ms from the start of the measured run (negative while warming up), or undefined at the end. */
  private nextArrivalMs(): number | undefined {
    if (this.warmup !== undefined) {
      const arrival = this.warmup.schedule.next();
      if (arrival !== undefined) return arrival * 1000 - this.warmup.offsetMs;
      this.warmup = undefined;
      this.cpuBefore = process.cpuUsage();
    }
    const arrival = this.schedule.next();
    return arrival === undefined ? undefined : arrival * 1000;
  }

  /** A warm-up request: it takes a connection like any other (so the measured run finds them open) and is counted nowhere. */
  private sendUnmeasured(scheduledMs: number): void {
    if (this.inFlight >= this.maxInFlight) return;
    this.inFlight++;
    this.start(scheduledMs, this.warmupSent++ % this.bodies.length);
  }

  private send(scheduledMs: number, now: number): void {
    this.offered++;
    this.timeline.offered(scheduledMs);
    if (this.inFlight >= this.maxInFlight) {
      this.fail(now, 'dropped');
      return;
    }
    const lag = now - scheduledMs;
    this.sendLag.record(lag);
    if (lag > this.lateSendMs) this.lateSends++;
    if (this.inFlight >= this.maxConnections) this.waitedForConnection++;
    this.inFlight++;
    if (this.inFlight > this.maxInFlightSeen) this.maxInFlightSeen = this.inFlight;
    this.sent++;
    this.start(scheduledMs, this.sent % this.bodies.length);
  }

  /** Puts a request on a free connection, or in the queue: while others wait for one, a new arrival queues behind them. */
  private start(scheduledMs: number, bodyIndex: number): void {
    const connection = this.waiting.length > 0 ? undefined : (this.idle.pop() ?? this.open());
    if (connection === undefined) this.waiting.push(scheduledMs, bodyIndex);
    else this.dispatch(connection, scheduledMs, bodyIndex);
  }

  /** A new connection while fewer than `connections` are open (undici connects on its first request). */
  private open(): Connection | undefined {
    if (this.connections.length >= this.maxConnections) return undefined;
    const connection = new Connection(this, new Client(this.options.origin, this.clientOptions));
    this.connections.push(connection);
    return connection;
  }

  private dispatch(connection: Connection, scheduledMs: number, bodyIndex: number): void {
    connection.scheduledMs = scheduledMs;
    connection.status = 0;
    this.dispatchOptions.body = this.bodies[bodyIndex]!;
    connection.client.dispatch(this.dispatchOptions, connection);
  }

  completed(connection: Connection): void {
    if (this.closed) return;
    if (connection.scheduledMs < 0) {
      this.settled(connection); // a warm-up request: counted nowhere
      return;
    }
    const now = this.now();
    const latencyMs = now - connection.scheduledMs;
    const status = connection.status;
    const ok = status >= 200 && status < 300;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    this.timeline.response(now, latencyMs, ok);
    if (ok) this.ok++;
    else this.fail(now, 'http_status');
    this.lastCompletionMs = now;
    this.settled(connection);
  }

  /**
   * A request on `connection` got its answer: the next waiting request goes straight onto the connection
   * (undici writes it once it has finished with the response, on the next turn of the event loop, as its own
   * Pool would), or the connection goes idle.
   */
  private settled(connection: Connection): void {
    this.inFlight--;
    if (this.waiting.length > 0) this.dispatch(connection, this.waiting.peekScheduledMs(), this.waiting.shiftBody());
    else this.release(connection);
  }

  errored(connection: Connection, error: Error): void {
    if (this.closed) return;
    const now = this.now();
    if (connection.scheduledMs >= 0) {
      this.fail(now, errorKindOf(error));
      this.lastCompletionMs = now;
    }
    this.inFlight--;
    // undici is still unwinding the failed request (or the whole connection): hand the connection the next
    // waiting request later, not from inside its error path. It reconnects by itself if it has to.
    this.release(connection);
    if (this.waiting.length > 0 && !this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(this.pump);
    }
  }

  private release(connection: Connection): void {
    this.idle.push(connection);
    if (this.nextMs === undefined && this.inFlight === 0) this.finish?.();
  }

  /** Gives waiting requests the idle connections. */
  private readonly pump = (): void => {
    this.pumpScheduled = false;
    while (!this.closed && this.waiting.length > 0 && this.idle.length > 0) {
      this.dispatch(this.idle.pop()!, this.waiting.peekScheduledMs(), this.waiting.shiftBody());
    }
  };

  private fail(now: number, kind: ErrorKind): void {
    this.failed++;
    this.errorsByKind.set(kind, (this.errorsByKind.get(kind) ?? 0) + 1);
    this.timeline.failure(now, kind);
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
    if (now < 0) return; // still warming up
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
