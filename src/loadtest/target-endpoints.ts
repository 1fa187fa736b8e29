import { request } from 'undici';
import { ChurnError } from '../errors.js';

/** A target base URL split for undici: the origin, and a path prefix every endpoint path is appended to. */
export interface TargetUrl {
  readonly url: string;
  readonly origin: string;
  readonly prefix: string;
}

export function parseTargetUrl(url: string): TargetUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ChurnError('INVALID_ARGUMENT', `--url must be an http:// URL such as http://127.0.0.1:8000, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ChurnError('INVALID_ARGUMENT', `--url must be an http:// or https:// URL, got "${url}"`);
  }
  return { url, origin: parsed.origin, prefix: parsed.pathname.replace(/\/+$/, '') };
}

export function authorizationHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey === undefined || apiKey === '' ? {} : { authorization: `Bearer ${apiKey}` };
}

/** GET a small endpoint; undefined when it does not answer 200 within the timeout. */
export async function fetchText(target: TargetUrl, path: string, headers: Record<string, string> = {}, timeoutMs = 3000): Promise<string | undefined> {
  try {
    const response = await request(`${target.origin}${target.prefix}${path}`, { method: 'GET', headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const text = await response.body.text();
    return response.statusCode === 200 ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The served model's name and version from GET /model, or null when the target does not say. */
export async function describeModel(target: TargetUrl, headers: Record<string, string>): Promise<{ name: string; version: string } | null> {
  const text = await fetchText(target, '/model', headers);
  if (text === undefined) return null;
  try {
    const card = JSON.parse(text) as { name?: unknown; version?: unknown };
    return typeof card.name === 'string' && typeof card.version === 'string' ? { name: card.name, version: card.version } : null;
  } catch {
    return null;
  }
}
