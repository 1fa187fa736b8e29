import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';
import { copies, dockerfileRules, parseDockerfile } from './dockerfile-rules.js';

const dockerfile = parseDockerfile(readFileSync(join(packageRoot, 'Dockerfile'), 'utf8'));
const seedStyle = parseDockerfile(
  readFileSync(join(packageRoot, 'test', 'fixtures', 'kubernetes', 'seed-style.Dockerfile'), 'utf8'),
);

for (const rule of dockerfileRules) {
  describe(`Dockerfile: ${rule.id}`, () => {
    test('the Dockerfile passes', () => {
      assert.deepEqual(rule.check(dockerfile), []);
    });

    test('the seed-style fixture fails', () => {
      assert.notDeepEqual(rule.check(seedStyle), []);
    });
  });
}

describe('.dockerignore', () => {
  const path = join(packageRoot, '.dockerignore');

  test('is an allow-list that keeps node_modules, dist, data and secrets out of the build context', () => {
    assert.ok(existsSync(path));
    const lines = readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    assert.equal(lines[0], '*', 'starts by excluding everything');
    const allowed = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    for (const forbidden of ['node_modules', 'dist', 'data', '.env', '.git']) {
      assert.ok(!allowed.some((a) => a === forbidden || a.startsWith(`${forbidden}/`)), `${forbidden} must stay out`);
    }
  });

  test('lets in every path the Dockerfile copies from the build context', () => {
    const allowed = readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).trim());
    const sources = dockerfile.stages.flatMap((stage) =>
      copies(stage).flatMap((c) => (c.from === undefined ? c.sources : [])),
    );
    for (const source of sources) {
      assert.ok(allowed.includes(source.replace(/\/$/, '')), `${source} is copied but excluded by .dockerignore`);
    }
  });
});
