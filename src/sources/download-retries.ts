import { setTimeout as sleep } from 'node:timers/promises';
import { ChurnError, type ErrorCode } from '../errors.js';
import type { ProgressListener } from './byte-sink.js';
import { DownloadFailure } from './download-failure.js';

/** How every remote step of loading a model (a file, a registry call, a folder listing) is retried and logged. */
export interface RetryOptions {
  /** Attempts per step, first included (default 4). */
  attempts?: number;
  /** First backoff delay; doubled after each failed attempt, with jitter (default 500 ms). */
  backoffMs?: number;
  /** Per-attempt timeout (default 5 minutes). */
  timeoutMs?: number;
  /** Start-up log lines (progress, retries). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export type SourceLog = NonNullable<RetryOptions['log']>;

export const defaultTimeoutMs = 300_000;

/** Per-attempt timeout of an API call (a registry lookup, a folder listing): it answers in milliseconds or is stuck. */
export function apiTimeoutMs(options: RetryOptions): number {
  return Math.min(options.timeoutMs ?? defaultTimeoutMs, 30_000);
}

/**
 * Runs `attempt` until it succeeds, a DownloadFailure is permanent, or the attempts run out; then throws a
 * ChurnError (the failure's own code, else `code`) whose message starts with `source`.
 */
export async function withRetries<T>(source: string, options: RetryOptions, attempt: () => Promise<T>, code: ErrorCode = 'MODEL_FETCH_FAILED'): Promise<T> {
  const attempts = options.attempts ?? 4;
  let delay = options.backoffMs ?? 500;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DownloadFailure)) throw error;
      if (error.permanent || n >= attempts) {
        throw new ChurnError(error.code ?? code, `${source}: ${error.message}${error.permanent ? '' : ` (gave up after ${n} attempts)`}`, [], { cause: error });
      }
      options.log?.('model download failed, retrying', { source, attempt: n, reason: error.message, retryInMs: Math.round(delay) });
      await sleep(delay * (0.5 + Math.random() / 2));
      delay *= 2;
    }
  }
}

/** Logs at most every 10 % (or every 8 MiB when the size is unknown). */
export function progressLogger(source: string, log: SourceLog): ProgressListener {
  let next = 0;
  return (received, total) => {
    const mark = total !== undefined && total > 0 ? Math.floor((received / total) * 10) : Math.floor(received / (8 << 20));
    if (mark >= next) {
      next = mark + 1;
      log('model download progress', { source, received, ...(total !== undefined ? { total, percent: Math.round((100 * received) / total) } : {}) });
    }
  };
}
