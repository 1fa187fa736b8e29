import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/foundation/package-files.js';

export const kindUpScript = join(packageRoot, 'scripts', 'kind-up.sh');
export const kindUpScriptText = readFileSync(kindUpScript, 'utf8');

/** The JSON body kind-up.sh posts to /predict as its smoke test. */
export function smokeTestRecord(): unknown {
  const match = /--data '(\{.*\})'/.exec(kindUpScriptText);
  assert.ok(match?.[1], 'kind-up.sh posts a record to /predict');
  return JSON.parse(match[1]) as unknown;
}
