import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';
import { builtCli, SERVER_NODE_FLAGS, serveArguments } from '../../src/foundation/server-launch.js';
import { containerCommand, parseDockerfile } from './dockerfile-rules.js';

/** The server's launch as a command line relative to the package (as the image and npm run it). */
const launch = ['node', ...SERVER_NODE_FLAGS, 'dist/src/cli/main.js', 'serve'];

describe('the server is launched with its node flags', () => {
  test('by the image', () => {
    const runtime = parseDockerfile(readFileSync(join(packageRoot, 'Dockerfile'), 'utf8')).stages.at(-1);
    assert.ok(runtime);
    assert.deepEqual(containerCommand(runtime), launch);
  });

  test('by npm start', () => {
    const { scripts } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(scripts['start'], launch.join(' '));
  });

  test('by the benches (serveArguments)', () => {
    assert.deepEqual(serveArguments(), [...SERVER_NODE_FLAGS, builtCli, 'serve']);
  });

  test('the build warms a code cache for that launch, and for a plain `node main.js serve`', () => {
    const loader = new URL('../../src/foundation/code-cache.js', import.meta.url).href;
    const bundle = readdirSync(join(packageRoot, 'dist', 'src', 'bundle'));
    for (const flags of [SERVER_NODE_FLAGS, []]) {
      const suffix = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', `import { CODE_CACHE_SUFFIX } from ${JSON.stringify(loader)}; process.stdout.write(CODE_CACHE_SUFFIX);`], {
        env: { PATH: process.env['PATH'] ?? '' },
        encoding: 'utf8',
      });
      assert.ok(bundle.some((name) => name.startsWith('serve-') && name.endsWith(suffix)), `a cache for node ${flags.join(' ')} (${suffix})`);
    }
  });
});
