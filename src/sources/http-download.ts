import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { writeBody, type ProgressListener } from './byte-sink.js';
import { DownloadFailure } from './download-failure.js';

/** Downloads `url` to `file` once; returns the body's sha256. */
export async function downloadHttp(url: URL, file: string, onProgress: ProgressListener, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new DownloadFailure(`cannot connect (${(cause as Error).cause instanceof Error ? ((cause as Error).cause as Error).message : (cause as Error).message})`, false);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    // 408 and 429 are worth another try like 5xx; other 4xx will not change.
    const transient = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new DownloadFailure(`HTTP ${response.status} ${response.statusText}`, !transient, response.status === 404);
  }
  const length = response.headers.get('content-length');
  const total = length === null ? undefined : Number(length);
  return writeBody(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), file, total, onProgress);
}
