import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadServerConfig, serverEnvironmentVariables } from '../../src/config/server-config.js';
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

test('docs/server.md gives each variable the default the server really takes', () => {
  const text = readFileSync(join(packageRoot, 'docs', 'server.md'), 'utf8');
  const defaults = loadServerConfig({}) as unknown as Record<string, unknown>;
  for (const variable of serverEnvironmentVariables) {
    const cells = text.split('\n').find((line) => line.startsWith(`| \`${variable.name}\` |`))!.split('|').map((c) => c.trim());
    const documented = cells[2]!;
    // The value in backticks, as the variable would be written; "unset" and "the model's" mean no value.
    const value = /`([^`]+)`/.exec(documented)?.[1];
    if (value === undefined) {
      assert.match(documented, /^(unset|the model's)$/, `${variable.name}: ${documented}`);
      assert.equal(variable.default, undefined, `${variable.name} has a default the doc does not give`);
      continue;
    }
    if (variable.name === 'MODEL_PATH') {
      assert.ok(String(defaults['modelPath']).endsWith(value), `MODEL_PATH default ${String(defaults['modelPath'])} is not ${value}`);
      continue;
    }
    assert.equal(variable.default, value, `${variable.name}: the spec's default and the doc's differ`);
    // The documented value, read as the variable, configures exactly what leaving it unset does.
    assert.deepEqual(loadServerConfig({ [variable.name]: value }), defaults, `${variable.name}=${value} is not the default`);
  }
});
