import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { writeBody, type ProgressListener } from './byte-sink.js';
import { DownloadFailure } from './download-failure.js';
import type { S3Options } from './s3-options.js';

export function s3Client(options: S3Options): S3Client {
  // On Node 20 the SDK prints a nine-line notice to stderr, which would break the server's one-line start-up
  // errors and its JSON logs; the image runs Node 24, and docs/bring-your-own-model.md states the SDK's plan.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return new S3Client({
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    // Retries are ours (with progress and one policy for HTTP and S3); the SDK makes one attempt.
    maxAttempts: 1,
  });
}

/** Downloads s3://bucket/key to `file` once; returns the body's sha256. */
export async function downloadS3(client: S3Client, bucket: string, key: string, file: string, onProgress: ProgressListener, timeoutMs: number): Promise<string> {
  let response;
  try {
    response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    if (cause instanceof S3ServiceException) {
      const status = cause.$metadata.httpStatusCode ?? 0;
      const transient = status >= 500 || status === 429 || cause.name === 'SlowDown';
      throw new DownloadFailure(`${cause.name} (HTTP ${status || '?'}): ${cause.message}`, !transient, cause.name === 'NoSuchKey' || status === 404);
    }
    throw new DownloadFailure(`cannot reach S3 (${(cause as Error).message})`, false);
  }
  if (response.Body === undefined) throw new DownloadFailure('S3 returned no body', false);
  return writeBody(response.Body as Readable, file, response.ContentLength, onProgress);
}
