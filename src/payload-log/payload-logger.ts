import type { PayloadEntry } from './payload-entry.js';
import type { PayloadSink } from './payload-sinks.js';

export interface PayloadLoggerOptions {
  /** Entries waiting or being written; beyond it new entries are dropped. */
  queueSize: number;
  /** Share of calls logged, from 0 to 1 (default 1). */
  sampleRate?: number;
  /** Entries per write. */
  batchSize?: number;
  /** Longest an entry waits for a batch to fill. */
  flushMs?: number;
  /** Told of a failed write (once per batch), for the log. */
  onError?: (error: unknown, entries: number) => void;
}

/**
 * A bounded queue in front of a sink. `offer` is all a request pays: one array push, or a counted drop when the
 * queue is full; the sink is written in batches, one write at a time, off the request path. What happened to
 * every offered entry is counted: written, dropped (queue full) or failed (the sink refused the batch).
 */
export class PayloadLogger {
  readonly counts = { written: 0, dropped: 0, failed: 0 };
  private queue: PayloadEntry[] = [];
  private writing = 0;
  private flushing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly batchSize: number;
  private readonly sampleRate: number;

  constructor(private readonly sink: PayloadSink, private readonly options: PayloadLoggerOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.sampleRate = options.sampleRate ?? 1;
    this.timer = setInterval(() => { void this.flush(); }, options.flushMs ?? 1000);
    this.timer.unref();
  }

  /** Whether to log the call that begins now: decided up front, so an unsampled call costs nothing more. */
  sampled(): boolean {
    return this.sampleRate >= 1 || Math.random() < this.sampleRate;
  }

  offer(entry: PayloadEntry): void {
    if (this.queue.length + this.writing >= this.options.queueSize) {
      this.counts.dropped++;
      return;
    }
    this.queue.push(entry);
    if (this.queue.length >= this.batchSize && this.flushing === undefined) setImmediate(() => { void this.flush(); });
  }

  /** Writes what is queued, batch after batch; concurrent calls share the one write in progress. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        while (this.queue.length > 0) {
          const batch = this.queue.splice(0, this.batchSize);
          this.writing = batch.length;
          try {
            await this.sink.write(batch);
            this.counts.written += batch.length;
          } catch (error) {
            this.counts.failed += batch.length;
            this.options.onError?.(error, batch.length);
          } finally {
            this.writing = 0;
          }
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** Writes what is left and closes the sink (at shutdown, after the last request). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.sink.close();
  }
}
