import type { FastifyBaseLogger } from 'fastify';
import { DurationSketch } from './duration-sketch.js';

export interface RequestLogSettings {
  /** Share of ordinary requests (2xx, 3xx, 503) written one line each; 1 writes every request. */
  sampleRate: number;
  /** Requests at least this slow are always written (warn); 0 turns it off. */
  slowMs: number;
  /** Seconds between summary lines; 0 turns them off. */
  summarySeconds: number;
}

/** What the log needs of an answered request (a Fastify request has it). */
export interface LoggedRequest {
  readonly id: string;
  readonly method: string;
  readonly url: string;
}

/** Why a request got a line of its own. */
export type LoggedBecause = 'server error' | 'slow' | 'client error' | 'sample';

const SHED_STATUS = 503;
/** The levels at which `info` lines (samples, client errors, summaries) are written. */
const INFO_WRITTEN: ReadonlySet<string> = new Set(['trace', 'debug', 'info']);

/**
 * Which requests get a log line, and the summary of all of them. A line per request costs more than the rest
 * of a /predict request's own work (docs/server.md, Logging), so at tens of thousands of requests per second
 * the log says what an operator acts on and summarises the rest:
 * - every 5xx except 503 (error) and every 4xx (info): the client holds the request id of each failure;
 * - every request slower than `slowMs` (warn);
 * - a random `sampleRate` share of the others (info), 503s included: under overload the shed requests are
 *   the flood, and a line each would shrink the capacity left for the accepted ones;
 * - every `summarySeconds`, one line: requests and rate, counts by status (shed requests are the 503s),
 *   latency percentiles, slow requests, lines written, and what `gauges` reads (in flight, event-loop delay).
 * Lines are written with the root logger and the request id, so no per-request child logger is needed. Above
 * `info` (LOG_LEVEL=warn and up) the samples, client errors and summaries would be dropped by the logger, so
 * nothing is counted or drawn for them: a request is only checked for being slow or a server error.
 */
export class RequestLog {
  private readonly durations = new DurationSketch();
  private readonly statuses = new Map<number, number>();
  private slow = 0;
  private written = 0;
  private since = performance.now();
  private timer: NodeJS.Timeout | undefined;
  /** Whether `info` lines are written, decided once (the level is set at start-up). */
  private readonly informs: boolean;

  constructor(
    private readonly log: FastifyBaseLogger,
    private readonly settings: RequestLogSettings,
    private readonly gauges: () => Record<string, number> = () => ({}),
    private readonly random: () => number = Math.random,
  ) {
    this.informs = INFO_WRITTEN.has(log.level);
  }

  /** Counts one answered request and writes its line when it should have one. */
  answered(request: LoggedRequest, route: string, status: number, durationMs: number): void {
    const { informs } = this;
    const { slowMs, sampleRate } = this.settings;
    const slow = slowMs > 0 && durationMs >= slowMs;
    if (informs) {
      this.durations.record(durationMs);
      this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
      if (slow) this.slow++;
    }
    let because: LoggedBecause | undefined;
    if (status >= 500 && status !== SHED_STATUS) because = 'server error';
    else if (slow) because = 'slow';
    else if (!informs) return;
    else if (status >= 400 && status < 500) because = 'client error';
    else if (sampleRate > 0 && (sampleRate >= 1 || this.random() < sampleRate)) because = 'sample';
    if (because === undefined) return;
    const line = {
      requestId: request.id, method: request.method, route, url: request.url, status,
      durationMs: Math.round(durationMs * 1000) / 1000, logged: because,
    };
    this.written++;
    if (because === 'server error') this.log.error(line, 'request');
    else if (because === 'slow') this.log.warn(line, 'request');
    else this.log.info(line, 'request');
  }

  /** Starts the periodic summary (no-op when turned off, above `info`, or already started). */
  start(): void {
    if (this.settings.summarySeconds <= 0 || !this.informs || this.timer !== undefined) return;
    this.since = performance.now();
    this.timer = setInterval(() => this.summarise(), this.settings.summarySeconds * 1000).unref();
  }

  /** Stops the summary, writing one last line for the requests since the previous one. */
  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.summarise();
  }

  /** Writes the summary line of the interval now ending (nothing when no request came) and starts the next. */
  summarise(): void {
    const now = performance.now();
    const seconds = (now - this.since) / 1000;
    this.since = now;
    const requests = this.durations.count;
    if (requests > 0) {
      const round = (ms: number): number => Math.round(ms * 1000) / 1000;
      const statuses = Object.fromEntries([...this.statuses].sort((a, b) => a[0] - b[0]).map(([status, n]) => [String(status), n]));
      this.log.info({
        intervalSeconds: Math.round(seconds * 10) / 10,
        requests,
        perSecond: Math.round((requests / Math.max(seconds, 1e-3)) * 10) / 10,
        statuses,
        p50Ms: round(this.durations.quantileMs(0.5)),
        p90Ms: round(this.durations.quantileMs(0.9)),
        p99Ms: round(this.durations.quantileMs(0.99)),
        maxMs: round(this.durations.maxMs),
        slow: this.slow,
        linesWritten: this.written,
        ...this.gauges(),
      }, 'requests');
    }
    this.durations.reset();
    this.statuses.clear();
    this.slow = 0;
    this.written = 0;
  }
}
