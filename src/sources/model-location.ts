import { ChurnError } from '../errors.js';
import { isMlflowUri, parseMlflowUri, type MlflowReference } from './mlflow-uri.js';

/**
 * Where MODEL_PATH points: a local path, an http(s) URL, an S3 object or folder (a key ending in `/`), or an
 * MLflow registry or run URI. The one parser of MODEL_PATH: the configuration check and the loader both use it,
 * so what start-up accepts is what the loader can load.
 */
export type ModelLocation =
  | { kind: 'local'; path: string }
  | { kind: 'http'; url: URL; fileName: string }
  | { kind: 's3'; bucket: string; key: string; fileName: string }
  | { kind: 's3-folder'; bucket: string; prefix: string; folderName: string }
  | { kind: 'mlflow'; uri: string; reference: MlflowReference };

const ACCEPTED = 'a local path, an http(s):// or s3:// URL, or an MLflow models:/ or runs:/ URI';

function invalid(value: string, problem: string): never {
  throw new ChurnError('INVALID_CONFIG', `MODEL_PATH must be ${problem}, got ${JSON.stringify(value)}`);
}

/** Parses MODEL_PATH. A URL's last path segment names the downloaded file, whose extension picks the runtime. */
export function parseModelLocation(value: string): ModelLocation {
  if (isMlflowUri(value)) return { kind: 'mlflow', uri: value, reference: parseMlflowUri(value) };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { kind: 'local', path: value };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalid(value, `${ACCEPTED} (not a valid URL)`);
  }
  if (url.protocol === 's3:') {
    const key = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (url.hostname === '' || key === '') invalid(value, 's3://bucket/key (a model file) or s3://bucket/prefix/ (a model folder)');
    if (key.endsWith('/')) {
      const folderName = key.slice(0, -1).split('/').pop() ?? '';
      return { kind: 's3-folder', bucket: url.hostname, prefix: key, folderName: folderName === '' ? 'model' : folderName };
    }
    return { kind: 's3', bucket: url.hostname, key, fileName: key.split('/').pop()! };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalid(value, `${ACCEPTED} (unsupported scheme ${url.protocol})`);
  const fileName = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  if (fileName === '' || fileName === '.' || fileName === '..') {
    invalid(value, 'an http(s):// URL naming a model file (…/model.json, …/model.ubj, …/model.txt or …/model.onnx); a web server cannot list a folder');
  }
  return { kind: 'http', url, fileName };
}
