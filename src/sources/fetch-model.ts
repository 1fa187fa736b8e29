import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ChurnError, isChurnError } from '../errors.js';
import { importOptional } from '../foundation/optional-package.js';
import type { ProgressListener } from './byte-sink.js';
import { DownloadFailure } from './download-failure.js';
import { defaultTimeoutMs, progressLogger, withRetries, type RetryOptions } from './download-retries.js';
import { downloadHttp } from './http-download.js';
import { artifactStore, proxyFolder } from './mlflow-artifacts.js';
import { MlflowRegistryClient } from './mlflow-registry-client.js';
import type { MlflowConnection } from './mlflow-rest.js';
import { parseModelLocation, type ModelLocation } from './model-location.js';
import { displayedSource, type ModelProvenance } from './model-provenance.js';
import { downloadFolder, type RemoteFolder } from './remote-folder.js';
import type { S3Options } from './s3-options.js';

export type { RetryOptions } from './download-retries.js';

export interface FetchOptions extends RetryOptions {
  /**
   * Expected sha256 (hex) of the model (MODEL_SHA256): of the model file, of the file an MLflow flavour names,
   * or of a native artifact folder's manifest.json (which holds the checksums of the other files).
   */
  sha256?: string;
  s3?: S3Options;
  /** The MLflow tracking server that resolves `models:/` and `runs:/` (MLFLOW_TRACKING_URI and credentials). */
  mlflow?: MlflowConnection;
  /**
   * An optional file that travels with a model file (its sidecar manifest): its name beside a model file of the
   * given name. Fetched when the store has it.
   */
  companion?: (modelFileName: string) => string;
}

export interface FetchedModel {
  /** A local path for openModel() or openMlflowModelFolder(): a file, or a folder. */
  path: string;
  /** Where the model came from; the loader adds what it learns when opening it (the MLflow flavour). */
  provenance: ModelProvenance;
  /** For `models:/` and `runs:/`: the name and version the served model goes by (the registry's, or the run's). */
  identity?: { name: string; version: string };
  /** Removes the temporary directory of a downloaded model (no-op for local paths). */
  dispose(): void;
}

/**
 * Resolves MODEL_PATH to a local file or folder: local paths pass through (checked against MODEL_SHA256); URLs are
 * downloaded into a fresh temporary directory with retries and backoff, verified, and only then renamed to their
 * final name, so a reader never sees a partial model. A sidecar manifest (`<name>.manifest.json`) beside a model file
 * URL is fetched too when it exists. `s3://bucket/prefix/` is a folder; `models:/` and `runs:/` are resolved by the
 * MLflow tracking server and their artifacts downloaded from wherever it keeps them (its proxy, S3, a local path).
 */
export async function fetchModel(modelPath: string, options: FetchOptions = {}): Promise<FetchedModel> {
  const location = parseModelLocation(modelPath);
  const expected = options.sha256?.toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) throw new ChurnError('INVALID_CONFIG', 'MODEL_SHA256 must be 64 hexadecimal digits');
  const source = displayedSource(location, modelPath);
  if (location.kind === 'local') {
    return { path: modelPath, provenance: { kind: 'local', source, ...checkedFolder(modelPath, expected) }, dispose: () => undefined };
  }
  const directory = mkdtempSync(join(tmpdir(), 'churn-model-'));
  const dispose = () => rmSync(directory, { recursive: true, force: true });
  try {
    if (location.kind === 'http' || location.kind === 's3') {
      const fetched = await fetchFile(location, directory, expected, options);
      return { path: fetched.path, provenance: { kind: location.kind, source, sha256: fetched.sha256 }, dispose };
    }
    if (location.kind === 's3-folder') {
      const s3 = await s3Store(options, modelPath);
      try {
        const path = await fetchFolder(s3.folder(location.bucket, location.prefix), join(directory, location.folderName), options, false);
        return { path, provenance: { kind: 's3-folder', source, ...checkedFolder(path, expected) }, dispose };
      } finally {
        s3.close();
      }
    }
    const connection = options.mlflow;
    if (connection === undefined) throw new ChurnError('INVALID_CONFIG', `MLFLOW_TRACKING_URI must be set: MODEL_PATH ${modelPath} is resolved by an MLflow tracking server`);
    const resolved = await new MlflowRegistryClient(connection, options).resolve(location.reference);
    options.log?.('model resolved', { source, ...resolved.provenance });
    const path = await prefixed(`MODEL_PATH ${modelPath}`, () => fetchArtifacts(resolved.artifactUri, connection, directory, options));
    const { provenance } = resolved;
    const reference = location.reference;
    // Registered models go by their name and version; a run's or logged model's files by what names them.
    let identity: { name: string; version: string };
    if (reference.kind === 'run') identity = { name: reference.path.split('/').pop()!, version: reference.runId };
    else if (reference.kind === 'logged-model') identity = { name: reference.modelId, version: provenance.runId ?? '1' };
    else identity = { name: reference.name, version: provenance.version ?? '1' };
    return { path, provenance: { kind: 'mlflow', source, mlflow: provenance, ...checkedFolder(path, expected) }, identity, dispose };
  } catch (error) {
    // A failed start-up leaves no partial model behind.
    dispose();
    throw error;
  }
}

/**
 * MODEL_SHA256 for what is already on disk: a model file, or a native artifact folder's manifest.json. An MLflow
 * model folder is checked when opened (the flavour names the file).
 */
function checkedFolder(path: string, expected: string | undefined): { sha256?: string } {
  if (expected === undefined) return {};
  let file = path;
  try {
    if (statSync(path).isDirectory()) {
      if (existsSync(join(path, 'MLmodel'))) return {};
      file = join(path, 'manifest.json');
    }
  } catch {
    // Reported by readLocal below, with the path.
  }
  const sha256 = createHash('sha256').update(readLocal(file)).digest('hex');
  verify(file, sha256, expected);
  return { sha256 };
}

/** Runs `step`, prefixing the message of the ChurnError it may throw (so every start-up error names MODEL_PATH). */
export async function prefixed<T>(prefix: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isChurnError(error) && !error.message.startsWith(prefix)) throw new ChurnError(error.code, `${prefix}: ${error.message}`, error.details, { cause: error });
    throw error;
  }
}

/** One model file (and its optional sidecar manifest) from an http(s) URL or an S3 key. */
async function fetchFile(location: Extract<ModelLocation, { kind: 'http' | 's3' }>, directory: string, expected: string | undefined, options: FetchOptions): Promise<{ path: string; sha256: string }> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const s3 = location.kind === 's3' ? await s3Store(options, `s3://${location.bucket}/${location.key}`) : undefined;
  try {
    const source = location.kind === 'http' ? location.url.href : `s3://${location.bucket}/${location.key}`;
    const download = (name: string, file: string, progress: ProgressListener) => {
      // The model's own URL is used as given (a presigned URL keeps its query); the sidecar sits beside it.
      if (location.kind === 'http') return downloadHttp(name === location.fileName ? location.url : new URL(name, location.url), file, progress, timeoutMs);
      const key = location.key.slice(0, location.key.length - location.fileName.length) + name;
      return s3!.download(location.bucket, key, file, progress, timeoutMs);
    };
    const target = join(directory, location.fileName);
    const sha256 = await withRetries(source, options, async () => {
      rmSync(`${target}.partial`, { force: true });
      return download(location.fileName, `${target}.partial`, progressLogger(source, log));
    });
    if (expected !== undefined) verify(source, sha256, expected);
    renameSync(`${target}.partial`, target);
    log('model downloaded', { source, sha256 });

    const companionName = options.companion?.(location.fileName);
    if (companionName !== undefined) {
      const companion = join(directory, companionName);
      try {
        await withRetries(`${source} (${companionName})`, options, () => download(companionName, `${companion}.partial`, () => undefined));
        renameSync(`${companion}.partial`, companion);
        log('companion file downloaded', { file: companionName });
      } catch (error) {
        // No companion is the common case (S3 answers 403, not 404, for a missing key without ListBucket);
        // only a store that keeps failing is a real failure.
        if (!(error instanceof ChurnError && error.cause instanceof DownloadFailure && error.cause.permanent)) throw error;
        rmSync(`${companion}.partial`, { force: true });
      }
    }
    return { path: target, sha256 };
  } finally {
    s3?.close();
  }
}

/**
 * A remote folder into `target`. When the store lists nothing there, the location may be a single file (an artifact
 * URI naming model.onnx, say) if `orFile`; otherwise, or when there is no such file either, the model is missing.
 */
async function fetchFolder(folder: RemoteFolder, target: string, options: FetchOptions, orFile: boolean): Promise<string> {
  const files = await downloadFolder(folder, target, options);
  if (files.length > 0) return target;
  const missing = () => new ChurnError('ARTIFACT_NOT_FOUND', `${folder.location}: nothing is stored there (the model's files are missing)`);
  if (!orFile) throw missing();
  try {
    const sha256 = await withRetries(folder.location, options, async () => {
      rmSync(`${target}.partial`, { force: true });
      return folder.downloadAsFile(`${target}.partial`, () => undefined, options.timeoutMs ?? defaultTimeoutMs);
    });
    renameSync(`${target}.partial`, target);
    options.log?.('model downloaded', { source: folder.location, sha256 });
    return target;
  } catch (error) {
    if (isChurnError(error) && error.cause instanceof DownloadFailure && error.cause.notFound) throw missing();
    throw error;
  }
}

/** The files at an MLflow artifact URI, from the tracking server's proxy, S3 or a path this machine can read. */
async function fetchArtifacts(artifactUri: string, connection: MlflowConnection, directory: string, options: FetchOptions): Promise<string> {
  const store = artifactStore(artifactUri, connection);
  if (store.kind === 'local') {
    // A tracking server without --serve-artifacts hands out paths on its own disk: usable only on a shared volume.
    if (existsSync(store.path)) return store.path;
    throw new ChurnError('ARTIFACT_NOT_FOUND', `the model's artifacts are at ${artifactUri}, a path on the tracking server's machine that this process cannot read: run the tracking server with --serve-artifacts, or keep artifacts in S3`);
  }
  const name = basename(store.kind === 'proxy' ? store.path : store.key) || 'model';
  const target = join(directory, name);
  if (store.kind === 'proxy') return fetchFolder(proxyFolder(store, connection), target, options, true);
  const s3 = await s3Store(options, artifactUri);
  try {
    return await fetchFolder(s3.folder(store.bucket, store.key), target, options, true);
  } finally {
    s3.close();
  }
}

/** An S3 client for one fetch. */
interface S3Store {
  download(bucket: string, key: string, file: string, progress: ProgressListener, timeoutMs: number): Promise<string>;
  folder(bucket: string, prefix: string): RemoteFolder;
  close(): void;
}

/**
 * The AWS SDK costs a third of a second and 20 MB at start-up, and is an optional package: loaded only for what S3
 * holds (`neededFor` names it in the message when the package is missing).
 */
async function s3Store(options: FetchOptions, neededFor: string): Promise<S3Store> {
  const s3 = await importOptional(() => import('./s3-download.js'), '@aws-sdk/client-s3', `${neededFor}: an s3:// location`);
  if (options.s3 === undefined) throw new Error('fetchModel: an s3:// location needs the s3 options (AWS_REGION)');
  const client = s3.s3Client(options.s3);
  return {
    download: (bucket, key, file, progress, timeoutMs) => s3.downloadS3(client, bucket, key, file, progress, timeoutMs),
    folder: (bucket, prefix) => s3.s3Folder(client, bucket, prefix),
    close: () => client.destroy(),
  };
}

function readLocal(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new ChurnError('ARTIFACT_NOT_FOUND', `${path}: cannot read the model file to check MODEL_SHA256 (${(cause as Error).message})`);
  }
}

function verify(source: string, actual: string, expected: string): void {
  if (actual !== expected) throw new ChurnError('ARTIFACT_CHECKSUM_MISMATCH', `${source}: sha256 ${actual} does not match MODEL_SHA256 ${expected}`);
}
