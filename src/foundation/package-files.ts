import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root, found from this file's place in `dist/src/foundation/` (and `src/foundation/` alike). */
export const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  /** Optional packages some models need, with the versions this build works with. */
  readonly peerDependencies: Readonly<Record<string, string>>;
}

/** The package's own name, version and optional peers (V2 metadata, the OpenAPI document, install hints). */
export const packageInfo: PackageInfo = (() => {
  const { name, version, peerDependencies = {} } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as PackageInfo;
  return Object.freeze({ name, version, peerDependencies: Object.freeze({ ...peerDependencies }) });
})();
