import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ChurnError } from '../errors.js';
import type { ProgressListener } from './byte-sink.js';
import { apiTimeoutMs, defaultTimeoutMs, progressLogger, withRetries, type RetryOptions } from './download-retries.js';

/** One file of a remote folder: its path relative to the folder (POSIX separators) and size when listed. */
export interface RemoteFile {
  readonly path: string;
  readonly size?: number;
}

/** A folder in a store that can list it (an S3 prefix, an MLflow artifact directory). */
export interface RemoteFolder {
  /** Where it is, for messages and logs (never with credentials). */
  readonly location: string;
  /** Every file below the folder, recursively; empty when nothing is there. */
  list(timeoutMs: number): Promise<RemoteFile[]>;
  /** Downloads one file (a path list() returned) once; returns the body's sha256. */
  download(path: string, file: string, onProgress: ProgressListener, timeoutMs: number): Promise<string>;
  /** Downloads the location itself as one file (an artifact URI may name a file, which lists as nothing). */
  downloadAsFile(file: string, onProgress: ProgressListener, timeoutMs: number): Promise<string>;
}

/**
 * A listed path must stay inside the folder it is written to: a store (or whoever controls it) must not be able
 * to make start-up write `../../etc/…`.
 */
export function safeRelativePath(folder: string, path: string): string {
  const segments = path.split('/');
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ChurnError('ARTIFACT_CORRUPT', `${folder}: the store lists an unsafe file path ${JSON.stringify(path)}`);
  }
  return path;
}

/**
 * Downloads every file of `folder` into `directory` (created), each with the retry policy, as `<name>.partial`
 * renamed when complete; one progress line per 10 % of the folder's bytes. Returns the files written, or an empty
 * list when the store lists nothing there (the caller decides whether that is a single file or a missing model).
 */
export async function downloadFolder(folder: RemoteFolder, directory: string, options: RetryOptions): Promise<RemoteFile[]> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const files = await withRetries(folder.location, options, () => folder.list(apiTimeoutMs(options)));
  const paths = files.map((f) => safeRelativePath(folder.location, f.path));
  if (files.length === 0) return [];
  const known = files.every((f) => f.size !== undefined);
  const total = known ? files.reduce((sum, f) => sum + f.size!, 0) : undefined;
  const log = options.log;
  const progress = log === undefined ? undefined : progressLogger(folder.location, log);
  let done = 0;
  for (const [i, file] of files.entries()) {
    const target = join(directory, ...paths[i]!.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    const source = `${folder.location.replace(/\/+$/, '')}/${file.path}`;
    let received = 0;
    await withRetries(source, options, async () => {
      rmSync(`${target}.partial`, { force: true });
      received = 0;
      return folder.download(file.path, `${target}.partial`, (bytes) => {
        received = bytes;
        progress?.(done + bytes, total);
      }, timeoutMs);
    });
    renameSync(`${target}.partial`, target);
    done += received;
  }
  log?.('model downloaded', { source: folder.location, files: files.length, bytes: done });
  return files;
}
