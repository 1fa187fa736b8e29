import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChurnError } from '../errors.js';
import { importOptional } from '../foundation/optional-package.js';
import type { ProgressListener } from './byte-sink.js';
import { DownloadFailure } from './download-failure.js';
import { downloadHttp } from './http-download.js';
import { parseModelLocation } from './model-location.js';
import type { S3Options } from './s3-options.js';

export interface FetchOptions {
  /** Expected sha256 (hex) of the model file (MODEL_SHA256). */
  sha256?: string;
  s3?: S3Options;
  /** Attempts per file, first included (default 4). */
  attempts?: number;
  /** First backoff delay; doubled after each failed attempt, with jitter (default 500 ms). */
  backoffMs?: number;
  /** Per-attempt timeout (default 5 minutes). */
  timeoutMs?: number;
  /**
   * An optional file that travels with the model (its sidecar manifest): the name of it beside a model file
   * of the given name. Fetched when the store has it.
   */
  companion?: (modelFileName: string) => string;
  /** Start-up log lines (progress, retries). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface FetchedModel {
  /** A local path for openModel(). */
  path: string;
  /** Removes the temporary directory of a downloaded model (no-op for local paths). */
  dispose(): void;
}

/**
 * Resolves MODEL_PATH to a local file: local paths pass through (checked against MODEL_SHA256 when it names
 * a file); URLs are downloaded into a fresh temporary directory with retries and backoff, verified, and only
 * then renamed to their final name, so a reader never sees a partial model. A companion file
 * (a sidecar manifest) beside the URL is fetched too when it exists.
 */
export async function fetchModel(modelPath: string, options: FetchOptions = {}): Promise<FetchedModel> {
  const location = parseModelLocation(modelPath);
  const expected = options.sha256?.toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) throw new ChurnError('INVALID_CONFIG', 'MODEL_SHA256 must be 64 hexadecimal digits');
  if (location.kind === 'local') {
    if (expected !== undefined) verify(modelPath, createHash('sha256').update(readLocal(modelPath)).digest('hex'), expected);
    return { path: modelPath, dispose: () => undefined };
  }
  const log = options.log ?? (() => undefined);
  const directory = mkdtempSync(join(tmpdir(), 'churn-model-'));
  const dispose = () => rmSync(directory, { recursive: true, force: true });
  // The AWS SDK costs a third of a second and 20 MB at start-up: loaded only for s3:// models.
  const s3 = location.kind === 's3' ? await importOptional(() => import('./s3-download.js'), '@aws-sdk/client-s3', `${modelPath}: an s3:// location`) : undefined;
  if (location.kind === 's3' && options.s3 === undefined) throw new Error('fetchModel: an s3:// location needs the s3 options (AWS_REGION)');
  const client = s3?.s3Client(options.s3!);
  try {
    const source = location.kind === 'http' ? location.url.href : `s3://${location.bucket}/${location.key}`;
    const download = (name: string, file: string, progress: ProgressListener, timeoutMs: number) => {
      // The model's own URL is used as given (a presigned URL keeps its query); the sidecar sits beside it.
      if (location.kind === 'http') return downloadHttp(name === location.fileName ? location.url : new URL(name, location.url), file, progress, timeoutMs);
      const key = location.key.slice(0, location.key.length - location.fileName.length) + name;
      return s3!.downloadS3(client!, location.bucket, key, file, progress, timeoutMs);
    };
    const target = join(directory, location.fileName);
    const sha256 = await withRetries(source, options, log, async () => {
      rmSync(`${target}.partial`, { force: true });
      return download(location.fileName, `${target}.partial`, progressLogger(source, log), options.timeoutMs ?? 300_000);
    });
    if (expected !== undefined) verify(source, sha256, expected);
    renameSync(`${target}.partial`, target);
    log('model downloaded', { source, sha256 });

    const companionName = options.companion?.(location.fileName);
    if (companionName !== undefined) {
      const companion = join(directory, companionName);
      try {
        await withRetries(`${source} (${companionName})`, options, log, () => download(companionName, `${companion}.partial`, () => undefined, options.timeoutMs ?? 300_000));
        renameSync(`${companion}.partial`, companion);
        log('companion file downloaded', { file: companionName });
      } catch (error) {
        // No companion is the common case (S3 answers 403, not 404, for a missing key without ListBucket);
        // only a store that keeps failing is a real failure.
        if (!(error instanceof ChurnError && error.cause instanceof DownloadFailure && error.cause.permanent)) throw error;
        rmSync(`${companion}.partial`, { force: true });
      }
    }
    return { path: target, dispose };
  } catch (error) {
    // A failed start-up leaves no partial model behind.
    dispose();
    throw error;
  } finally {
    client?.destroy();
  }
}

function readLocal(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new ChurnError('INVALID_CONFIG', `MODEL_SHA256 applies to a model file; ${path} is a native artifact directory, which carries its own checksums`);
    }
    throw new ChurnError('ARTIFACT_NOT_FOUND', `${path}: cannot read the model file to check MODEL_SHA256 (${(cause as Error).message})`);
  }
}

function verify(source: string, actual: string, expected: string): void {
  if (actual !== expected) throw new ChurnError('ARTIFACT_CHECKSUM_MISMATCH', `${source}: sha256 ${actual} does not match MODEL_SHA256 ${expected}`);
}

async function withRetries<T>(source: string, options: FetchOptions, log: NonNullable<FetchOptions['log']>, attempt: () => Promise<T>): Promise<T> {
  const attempts = options.attempts ?? 4;
  let delay = options.backoffMs ?? 500;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DownloadFailure)) throw error;
      if (error.permanent || n >= attempts) {
        throw new ChurnError('MODEL_FETCH_FAILED', `${source}: ${error.message}${error.permanent ? '' : ` (gave up after ${n} attempts)`}`, [], { cause: error });
      }
      log('model download failed, retrying', { source, attempt: n, reason: error.message, retryInMs: Math.round(delay) });
      await sleep(delay * (0.5 + Math.random() / 2));
      delay *= 2;
    }
  }
}

/** Logs at most every 10 % (or every 8 MiB when the size is unknown). */
function progressLogger(source: string, log: NonNullable<FetchOptions['log']>): ProgressListener {
  let next = 0;
  return (received, total) => {
    const mark = total !== undefined && total > 0 ? Math.floor((received / total) * 10) : Math.floor(received / (8 << 20));
    if (mark >= next) {
      next = mark + 1;
      log('model download progress', { source, received, ...(total !== undefined ? { total, percent: Math.round((100 * received) / total) } : {}) });
    }
  };
}
