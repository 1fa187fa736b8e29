import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DownloadFailure } from './download-failure.js';

/** Progress of one download: bytes so far and the expected total when the server told it. */
export type ProgressListener = (received: number, total: number | undefined) => void;

/**
 * Streams a response body to `file`, hashing it on the way, and checks it against the announced length:
 * a body that ends early is a truncated download, even when the connection closed cleanly.
 */
export async function writeBody(body: Readable, file: string, total: number | undefined, onProgress: ProgressListener): Promise<string> {
  const hash = createHash('sha256');
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      received += chunk.length;
      onProgress(received, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(file));
  } catch (cause) {
    throw new DownloadFailure(`the download broke off after ${received} bytes (${(cause as Error).message})`, false);
  }
  if (total !== undefined && received !== total) throw new DownloadFailure(`truncated download: ${received} of ${total} bytes`, false);
  return hash.digest('hex');
}
