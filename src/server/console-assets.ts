import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { webAssetsDirectory } from '../reporting/web-assets.js';

/** One built file of the console, held in memory with its gzip form and an ETag. */
export interface ConsoleAsset {
  readonly contentType: string;
  readonly body: Buffer;
  readonly gzipped: Buffer;
  readonly etag: string;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Where `npm run build` writes the console (scripts/build-web.mjs). */
export const consoleAssetsDirectory = join(webAssetsDirectory, 'console');

/**
 * The console's files, read and compressed once at start-up (a few hundred KB; never re-read per request).
 * Empty when the console was not built, so the API still serves and `/` says what to do.
 */
export function loadConsoleAssets(directory = consoleAssetsDirectory): Map<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return assets;
  }
  for (const name of names) {
    const contentType = contentTypes[name.slice(name.lastIndexOf('.'))];
    if (contentType === undefined) continue;
    const body = readFileSync(join(directory, name));
    assets.set(name, { contentType, body, gzipped: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}
