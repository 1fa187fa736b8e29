import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { writeBody, type ProgressListener } from './byte-sink.js';
import { DownloadFailure } from './download-failure.js';

export interface HttpDownloadOptions {
  /** Request headers (an MLflow server's credentials). */
  headers?: Record<string, string>;
  /** Turns an error answer into a failure that says what to fix (the MLflow proxy names the variables at fault). */
  failure?: (status: number, body: string) => DownloadFailure;
}

/** Downloads `url` to `file` once; returns the body's sha256. */
export async function downloadHttp(url: URL, file: string, onProgress: ProgressListener, timeoutMs: number, options: HttpDownloadOptions = {}): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs), headers: options.headers ?? {} });
  } catch (cause) {
    throw new DownloadFailure(`cannot connect (${(cause as Error).cause instanceof Error ? ((cause as Error).cause as Error).message : (cause as Error).message})`, false);
  }
  if (!response.ok || response.body === null) {
    if (options.failure !== undefined) throw options.failure(response.status, await response.text().catch(() => ''));
    await response.body?.cancel().catch(() => undefined);
    // 408 and 429 are worth another try like 5xx; other 4xx will not change.
    const transient = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new DownloadFailure(`HTTP ${response.status} ${response.statusText}`, !transient, response.status === 404);
  }
  const length = response.headers.get('content-length');
  const total = length === null ? undefined : Number(length);
  return writeBody(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), file, total, onProgress);
}
