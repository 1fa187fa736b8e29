import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { errorCatalogue } from '../../src/errors.js';
import { packageRoot } from '../../src/foundation/package-files.js';

test('docs/errors.md documents every code of the catalogue with its HTTP and gRPC status', () => {
  const text = readFileSync(join(packageRoot, 'docs', 'errors.md'), 'utf8');
  for (const [code, { status, grpc }] of Object.entries(errorCatalogue)) {
    const row = text.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row, `docs/errors.md has no table row for ${code}`);
    assert.ok(row.startsWith(`| \`${code}\` | ${status} | ${grpc} |`), `${code} must be documented with status ${status} and gRPC ${grpc}: ${row}`);
  }
  const documented = [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  for (const code of documented) assert.ok(code! in errorCatalogue, `docs/errors.md documents ${code}, which the catalogue does not have`);
});
