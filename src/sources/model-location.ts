import { ChurnError } from '../errors.js';

/** Where MODEL_PATH points: a local path, an http(s) URL or an S3 object. */
export type ModelLocation =
  | { kind: 'local'; path: string }
  | { kind: 'http'; url: URL; fileName: string }
  | { kind: 's3'; bucket: string; key: string; fileName: string };

/** Parses MODEL_PATH. A URL's last path segment names the downloaded file, whose extension picks the runtime. */
export function parseModelLocation(value: string): ModelLocation {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { kind: 'local', path: value };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ChurnError('INVALID_CONFIG', `MODEL_PATH: ${JSON.stringify(value)} is not a valid URL`);
  }
  const fileName = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  if (fileName === '' || fileName === '.' || fileName === '..') {
    throw new ChurnError('INVALID_CONFIG', `MODEL_PATH: ${url.protocol}// URLs must name a model file (…/model.json, …/model.ubj, …/model.txt or …/model.onnx)`);
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'http', url, fileName };
  if (url.protocol === 's3:') {
    const key = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (url.hostname === '' || key === '') throw new ChurnError('INVALID_CONFIG', 'MODEL_PATH: an S3 location is s3://bucket/key');
    return { kind: 's3', bucket: url.hostname, key, fileName };
  }
  throw new ChurnError('INVALID_CONFIG', `MODEL_PATH: unsupported scheme ${url.protocol} (use a local path, http(s):// or s3://)`);
}
