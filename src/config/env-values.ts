import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ChurnError } from '../errors.js';
import { parseModelLocation } from '../sources/model-location.js';

/**
 * Parsers for environment variable values. Each failure is an INVALID_CONFIG error whose one-line
 * message names the variable; a secret's value is never echoed back.
 */
export interface EnvValue {
  readonly name: string;
  readonly raw: string;
  readonly secret: boolean;
}

function invalid(value: EnvValue, expected: string): never {
  const got = value.secret ? '(value hidden: secret)' : `got ${JSON.stringify(value.raw)}`;
  throw new ChurnError('INVALID_CONFIG', `${value.name} must be ${expected}, ${got}`);
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function integerIn(value: EnvValue, minimum: number, maximum: number): number {
  const text = value.raw.trim();
  const n = INTEGER.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < minimum || n > maximum) invalid(value, `an integer from ${minimum} to ${maximum}`);
  return n;
}

export function numberIn(value: EnvValue, minimum: number, maximum: number): number {
  const text = value.raw.trim();
  const n = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n < minimum || n > maximum) invalid(value, `a number from ${minimum} to ${maximum}`);
  return n;
}

export function oneOf<T extends string>(value: EnvValue, allowed: readonly T[]): T {
  const text = value.raw.trim().toLowerCase();
  const match = allowed.find((a) => a === text);
  if (match === undefined) invalid(value, `one of ${allowed.join(', ')}`);
  return match;
}

export function nonEmptyText(value: EnvValue): string {
  const text = value.raw.trim();
  if (text === '' || /[\r\n]/.test(text)) invalid(value, 'a non-empty single-line string');
  return text;
}

export function absoluteUrl(value: EnvValue, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value.raw.trim());
  } catch {
    return invalid(value, `an absolute URL (${protocols.join(', ')})`);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) invalid(value, `an absolute URL (${protocols.join(', ')})`);
  return url.href;
}

/** An MLflow tracking server: http(s) without credentials in the URL (they belong in the Secret, not a ConfigMap). */
export function mlflowTrackingUri(value: EnvValue): string {
  // Checked before anything echoes the value: a URL with credentials must not reach the error message.
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value.raw.trim())) {
    throw new ChurnError('INVALID_CONFIG', `${value.name} must be a URL without credentials (set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN, from the Secret)`);
  }
  return absoluteUrl(value, ['http', 'https']);
}

/**
 * MODEL_PATH, parsed by the loader's own parser (parseModelLocation), so start-up accepts exactly what the
 * loader can load. A local file or directory must be readable: checked here so a bad mount fails fast and by name.
 */
export function modelLocation(value: EnvValue): string {
  const text = value.raw.trim();
  if (parseModelLocation(text).kind !== 'local') return text;
  const path = resolve(text);
  try {
    const isDirectory = statSync(path).isDirectory();
    accessSync(path, isDirectory ? constants.R_OK | constants.X_OK : constants.R_OK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return invalid(value, `a readable model directory or file, or a URL the loader fetches (${code === 'ENOENT' ? 'not found' : code ?? 'cannot read'})`);
  }
  return path;
}

/** Comma-separated secret tokens; each must be long enough to resist guessing. */
export function secretList(value: EnvValue, minimumLength: number): string[] {
  const items = value.raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0 || items.some((item) => item.length < minimumLength || /\s/.test(item))) {
    invalid(value, `a comma-separated list of keys, each at least ${minimumLength} characters without spaces`);
  }
  return items;
}

/** A sha256 digest as 64 hexadecimal digits (either case), returned in lowercase. */
export function sha256Hex(value: EnvValue): string {
  const text = value.raw.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) invalid(value, '64 hexadecimal digits (a sha256 digest)');
  return text.toLowerCase();
}

/** An AWS region name such as us-east-1 or eu-central-1 (S3-compatible stores accept any such word). */
export function awsRegion(value: EnvValue): string {
  const text = value.raw.trim();
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(text)) invalid(value, 'a region name such as us-east-1');
  return text;
}

/** The drift window: `<n>` for the last n records, `<n>s`, `<n>m`, `<n>h` for the records of that long, or `off`. */
export function driftWindow(value: EnvValue): { kind: 'off' } | { kind: 'records'; size: number } | { kind: 'time'; seconds: number } {
  if (/^off$/i.test(value.raw.trim())) return { kind: 'off' };
  const match = /^(\d+)\s*([smh]?)$/i.exec(value.raw.trim());
  const amount = match === null ? NaN : Number(match[1]);
  const unit = match?.[2]?.toLowerCase() ?? '';
  if (unit === '') {
    if (!(amount >= 100 && amount <= 1_000_000)) invalid(value, 'a record count from 100 to 1000000, a duration such as 15m or 1h (60s to 24h), or off');
    return { kind: 'records', size: amount };
  }
  const seconds = amount * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1);
  if (!(seconds >= 60 && seconds <= 86_400)) invalid(value, 'a record count from 100 to 1000000, a duration such as 15m or 1h (60s to 24h), or off');
  return { kind: 'time', seconds };
}

/** Where the payload log goes: `off`, `stdout`, `file:<path>` (appended to), or an http(s):// CloudEvents receiver. */
export function payloadLogSink(value: EnvValue): { kind: 'off' } | { kind: 'stdout' } | { kind: 'file'; path: string } | { kind: 'http'; url: string } {
  const text = value.raw.trim();
  if (/^off$/i.test(text)) return { kind: 'off' };
  if (/^stdout$/i.test(text)) return { kind: 'stdout' };
  if (text.startsWith('file:') && text.length > 'file:'.length && !/[\r\n]/.test(text)) return { kind: 'file', path: resolve(text.slice('file:'.length)) };
  if (/^https?:\/\//i.test(text)) return { kind: 'http', url: absoluteUrl(value, ['http', 'https']) };
  return invalid(value, 'off, stdout, file:<path> or an http(s):// URL');
}

/** Comma-separated field names (record keys), e.g. customerID,gender. */
export function fieldNames(value: EnvValue): string[] {
  const names = value.raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) invalid(value, 'a comma-separated list of field names');
  return names;
}
