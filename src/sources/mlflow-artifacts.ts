import { ChurnError } from '../errors.js';
import { DownloadFailure } from './download-failure.js';
import { downloadHttp } from './http-download.js';
import { authorizationHeaders, mlflowFailure, mlflowRequest, unreachable, type MlflowConnection } from './mlflow-rest.js';
import type { RemoteFile, RemoteFolder } from './remote-folder.js';

/** Where the MLflow tracking server's artifact proxy (`mlflow server --serve-artifacts`) answers. */
const PROXY_ROOT = '/api/2.0/mlflow-artifacts/artifacts';

/** Where an MLflow artifact URI keeps its files, as this loader reaches them. */
export type ArtifactStore =
  /** Through the tracking server's artifact proxy: `mlflow-artifacts:` URIs and the http(s) URIs they stand for. */
  | { readonly kind: 'proxy'; readonly base: string; readonly path: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'local'; readonly path: string };

/**
 * Maps an artifact URI (a model version's download URI, a run's or logged model's artifact location) to its store,
 * as MLflow's clients do: `mlflow-artifacts:/<path>` is the tracking server's proxy (`mlflow-artifacts://host:port/…`
 * another server's, reached with the tracking URI's scheme), `s3://` the bucket, `file:` a path on this machine.
 * Stores this loader does not speak to (gs://, wasbs://, hdfs://, dbfs:) stop start-up with a hint.
 */
export function artifactStore(artifactUri: string, connection: MlflowConnection): ArtifactStore {
  let url: URL;
  try {
    url = new URL(artifactUri);
  } catch {
    if (artifactUri.startsWith('/')) return { kind: 'local', path: artifactUri };
    throw new ChurnError('MODEL_FETCH_FAILED', `the tracking server gave the artifact location ${JSON.stringify(artifactUri)}, which is not a URI`);
  }
  const tracking = new URL(connection.trackingUri);
  const path = decodeURIComponent(url.pathname).replace(/^\/+/, '').replace(/\/+$/, '');
  switch (url.protocol) {
    case 'mlflow-artifacts:': {
      const host = url.host === '' ? tracking.host : url.host;
      const prefix = url.host === '' ? tracking.pathname.replace(/\/+$/, '') : '';
      return { kind: 'proxy', base: `${tracking.protocol}//${host}${prefix}${PROXY_ROOT}`, path };
    }
    case 'http:':
    case 'https:': {
      const at = url.pathname.indexOf(PROXY_ROOT);
      if (at < 0) break;
      const tail = decodeURIComponent(url.pathname.slice(at + PROXY_ROOT.length)).replace(/^\/+/, '').replace(/\/+$/, '');
      return { kind: 'proxy', base: `${url.protocol}//${url.host}${url.pathname.slice(0, at)}${PROXY_ROOT}`, path: tail };
    }
    case 's3:':
      return { kind: 's3', bucket: url.hostname, key: path };
    case 'file:':
      return { kind: 'local', path: decodeURIComponent(url.pathname) };
    default:
      break;
  }
  throw new ChurnError('MODEL_FETCH_FAILED', `the model's artifacts are at ${artifactUri}, a store this server does not read: run the tracking server with --serve-artifacts (artifacts then come through MLFLOW_TRACKING_URI) or keep them in S3`);
}

/** `a/b c` → `a/b%20c`: each segment escaped, the separators kept. */
function encodedPath(path: string): string {
  return path.split('/').filter((s) => s !== '').map(encodeURIComponent).join('/');
}

interface ProxyListing {
  files?: { path?: string; is_dir?: boolean; file_size?: number | string }[];
}

/** An artifact directory behind the tracking server's proxy: listed with `GET …/artifacts?path=`, files with `GET …/artifacts/<path>`. */
export function proxyFolder(store: Extract<ArtifactStore, { kind: 'proxy' }>, connection: MlflowConnection): RemoteFolder {
  const base = new URL(store.base);
  // The listing is an API call like the registry's; the proxy may sit on another host than the tracking URI.
  const listingConnection: MlflowConnection = { ...connection, trackingUri: store.base.slice(0, store.base.length - PROXY_ROOT.length) };
  const headers = authorizationHeaders(connection);
  const failure = (status: number, body: string) => mlflowFailure(connection, `GET ${base.pathname}`, status, body, 'ARTIFACT_NOT_FOUND');
  const fileUrl = (path: string) => new URL(`${store.base}/${encodedPath(path)}`);
  const location = `mlflow-artifacts:/${store.path}`;
  return {
    location,
    async list(timeoutMs: number): Promise<RemoteFile[]> {
      const files: RemoteFile[] = [];
      const visit = async (directory: string): Promise<void> => {
        const listing = await mlflowRequest<ProxyListing>(listingConnection, 'mlflow-artifacts/artifacts', {
          query: { path: [store.path, directory].filter((p) => p !== '').join('/') }, timeoutMs, notFoundCode: 'ARTIFACT_NOT_FOUND',
        });
        for (const entry of listing.files ?? []) {
          if (typeof entry.path !== 'string') throw new DownloadFailure(`${location}: the artifact listing has an entry without a path`, true);
          // The proxy lists names relative to the listed directory.
          const path = directory === '' ? entry.path : `${directory}/${entry.path}`;
          if (entry.is_dir === true) await visit(path);
          else files.push(entry.file_size === undefined ? { path } : { path, size: Number(entry.file_size) });
        }
      };
      await visit('');
      return files;
    },
    download: (path, file, onProgress, timeoutMs) => downloadHttp(fileUrl(store.path === '' ? path : `${store.path}/${path}`), file, onProgress, timeoutMs, { headers, failure }),
    downloadAsFile: (file, onProgress, timeoutMs) => downloadHttp(fileUrl(store.path), file, onProgress, timeoutMs, { headers, failure }),
  };
}

/**
 * Uploads one file into an artifact location through the tracking server's proxy (`PUT …/artifacts/<path>`), as
 * MLflow's clients do when the server runs with --serve-artifacts. Other stores are written by their own clients,
 * which a server with a proxy never asks for.
 */
export async function uploadArtifact(artifactUri: string, connection: MlflowConnection, path: string, body: Buffer, timeoutMs: number): Promise<void> {
  const store = artifactStore(artifactUri, connection);
  if (store.kind !== 'proxy') {
    throw new DownloadFailure(`the run's artifact location is ${artifactUri}: run the tracking server with --serve-artifacts so that clients upload through it`, true);
  }
  const url = new URL(`${store.base}/${encodedPath(`${store.path}/${path}`)}`);
  let response: Response;
  try {
    response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream', ...authorizationHeaders(connection) }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw unreachable(connection, cause);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw mlflowFailure(connection, `PUT ${url.pathname}`, response.status, text, 'ARTIFACT_NOT_FOUND');
}
