import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { serverEnvironmentVariables } from '../../src/config/server-config.js';
import { packageRoot } from '../../src/foundation/package-files.js';

test('docs/server.md documents every variable the server reads, and only those', () => {
  const text = readFileSync(join(packageRoot, 'docs', 'server.md'), 'utf8');
  const documented = [...text.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!);
  const names = serverEnvironmentVariables.map((v) => v.name);
  assert.deepEqual([...documented].sort(), [...names].sort());
  for (const variable of serverEnvironmentVariables) {
    const row = text.split('\n').find((line) => line.startsWith(`| \`${variable.name}\` |`))!;
    assert.match(row, new RegExp(`\\| ${variable.secret ? 'yes' : 'no'} \\|`), `${variable.name} secret flag`);
  }
});
