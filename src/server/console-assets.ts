import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { webAssetsDirectory } from '../reporting/web-assets.js';

/** One built file of the console, held in memory with an ETag; compressed on the first request that takes gzip. */
export class ConsoleAsset {
  readonly etag: string;
  private compressed: Buffer | undefined;

  constructor(readonly contentType: string, readonly body: Buffer) {
    this.etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  }

  /** Compressing all of them at start-up (level 9, a few hundred KB) cost every replica's start 5 ms. */
  get gzipped(): Buffer {
    this.compressed ??= gzipSync(this.body, { level: 9 });
    return this.compressed;
  }
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Where `npm run build` writes the console (scripts/build-web.mjs). */
export const consoleAssetsDirectory = join(webAssetsDirectory, 'console');

/**
 * The console's files, read once at start-up (a few hundred KB; never re-read per request).
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
    assets.set(name, new ConsoleAsset(contentType, readFileSync(join(directory, name))));
  }
  return assets;
}
