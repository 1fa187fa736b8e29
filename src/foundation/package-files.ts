import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root, found from this file's place in `dist/src/foundation/` (and `src/foundation/` alike). */
export const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The package's own name and version (the server reports them in V2 metadata and the OpenAPI document). */
export const packageInfo: { readonly name: string; readonly version: string } = (() => {
  const { name, version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  return Object.freeze({ name, version });
})();
