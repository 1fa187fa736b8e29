import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { RemoteFolder } from './remote-folder.js';
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

/** An S3 error as a download failure: throttling and 5xx are worth another attempt, the rest are not. */
function s3Failure(cause: unknown): DownloadFailure {
  if (cause instanceof S3ServiceException) {
    const status = cause.$metadata.httpStatusCode ?? 0;
    const transient = status >= 500 || status === 429 || cause.name === 'SlowDown';
    return new DownloadFailure(`${cause.name} (HTTP ${status || '?'}): ${cause.message}`, !transient, cause.name === 'NoSuchKey' || cause.name === 'NoSuchBucket' || status === 404);
  }
  return new DownloadFailure(`cannot reach S3 (${(cause as Error).message})`, false);
}

/** Downloads s3://bucket/key to `file` once; returns the body's sha256. */
export async function downloadS3(client: S3Client, bucket: string, key: string, file: string, onProgress: ProgressListener, timeoutMs: number): Promise<string> {
  let response;
  try {
    response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw s3Failure(cause);
  }
  if (response.Body === undefined) throw new DownloadFailure('S3 returned no body', false);
  return writeBody(response.Body as Readable, file, response.ContentLength, onProgress);
}

/** Every object under `prefix` (a folder: a key ending in `/`), page by page; needs s3:ListBucket. */
export async function listS3Folder(client: S3Client, bucket: string, prefix: string, timeoutMs: number): Promise<{ key: string; size: number | undefined }[]> {
  const objects: { key: string; size: number | undefined }[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    } catch (cause) {
      throw s3Failure(cause);
    }
    for (const object of page.Contents ?? []) if (object.Key !== undefined && !object.Key.endsWith('/')) objects.push({ key: object.Key, size: object.Size });
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** s3://bucket/prefix/ as a folder: every object under the prefix, by its key relative to it. */
export function s3Folder(client: S3Client, bucket: string, prefix: string): RemoteFolder {
  const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return {
    location: `s3://${bucket}/${folder}`,
    list: async (timeoutMs) => (await listS3Folder(client, bucket, folder, timeoutMs)).map((o) => ({ path: o.key.slice(folder.length), ...(o.size === undefined ? {} : { size: o.size }) })),
    download: (path, file, onProgress, timeoutMs) => downloadS3(client, bucket, folder + path, file, onProgress, timeoutMs),
    downloadAsFile: (file, onProgress, timeoutMs) => downloadS3(client, bucket, folder.slice(0, -1), file, onProgress, timeoutMs),
  };
}
