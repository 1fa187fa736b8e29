import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where `npm run build` writes the browser bundles (scripts/build-web.mjs): dist/web/, beside dist/src/.
 * The console is served from it and the HTML reports inline its chart script, so both draw with one library.
 */
export const webAssetsDirectory = fileURLToPath(new URL('../../web/', import.meta.url));

const cache = new Map<string, string>();

/** A built asset's text (read once); a missing one says how to build it rather than failing with ENOENT. */
export function webAsset(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    try {
      text = readFileSync(new URL(name, new URL('../../web/', import.meta.url)), 'utf8');
    } catch (error) {
      throw new Error(`the browser assets are not built (${name} is missing in ${webAssetsDirectory}): run npm run build`, { cause: error });
    }
    cache.set(name, text);
  }
  return text;
}
