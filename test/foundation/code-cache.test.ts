import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CODE_CACHE_SUFFIX, codeCacheFileOf, COMMONJS_WRAPPER_END, COMMONJS_WRAPPER_START, type CodeCacheSave, type CodeCacheUse } from '../../src/foundation/code-cache.js';

const loader = new URL('../../src/foundation/code-cache.js', import.meta.url).href;

interface Load {
  /** Where the child process looks for the cache: the name holds its V8's tag, flags included. */
  cacheFile?: string;
  codeCache: CodeCacheUse;
  saved: CodeCacheSave;
  exports?: unknown;
  error?: { name: string; message: string };
}

/**
 * Loads `file` in a process of its own, as a server start does: within one process V8 keeps what it compiled by
 * source, and a second load there would never read the cache at all.
 */
function load(file: string, env: Record<string, string> = {}): Load {
  const script = `
    import { codeCacheFileOf, requireWithCodeCache } from ${JSON.stringify(loader)};
    let out;
    try {
      const loaded = requireWithCodeCache(${JSON.stringify(file)});
      out = { cacheFile: codeCacheFileOf(${JSON.stringify(file)}), codeCache: loaded.codeCache, saved: loaded.save(), exports: loaded.exports };
    } catch (error) {
      out = { error: { name: error.name, message: error.message } };
    }
    process.stdout.write(JSON.stringify(out));`;
  const childEnv = { ...process.env, ...env };
  if (env.NODE_DISABLE_COMPILE_CACHE === undefined) delete childEnv.NODE_DISABLE_COMPILE_CACHE;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: childEnv, encoding: 'utf8' })) as Load;
}

/** A CommonJS file that uses what the loader must hand it: require, module, exports, __filename, __dirname. */
function moduleSource(answer: number): string {
  // Enough functions that the cache holds real bytecode; `answer` keeps the source's length while changing it.
  const helpers = Array.from({ length: 50 }, (_, i) => `function helper${i}(x) { return x * ${i} + ${i % 7}; }`).join('\n');
  return `${COMMONJS_WRAPPER_START}'use strict';
const path = require('node:path');
${helpers}
module.exports = { answer: ${answer}, file: path.basename(__filename), dir: __dirname, sum: helper3(2) + helper10(1), self: this === exports };${COMMONJS_WRAPPER_END}`;
}

describe('requireWithCodeCache', () => {
  const folder = mkdtempSync(join(tmpdir(), 'churn-code-cache-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  let serial = 0;
  const fresh = (source: string): string => {
    const file = join(folder, `module-${serial++}.cjs`);
    writeFileSync(file, source);
    return file;
  };
  const cacheOf = (file: string): string => {
    const name = readdirSync(folder).find((entry) => entry.startsWith(`${file.split('/').at(-1)}.`) && entry.endsWith('.code-cache'));
    assert.ok(name, `no cache beside ${file}`);
    return join(folder, name);
  };

  test('runs the file as require would, then the next process compiles it from the cache the first wrote', () => {
    const file = fresh(moduleSource(42));
    const first = load(file);
    assert.deepEqual(first.exports, { answer: 42, file: file.split('/').at(-1), dir: folder, sum: 22, self: true });
    assert.equal(first.codeCache, 'absent');
    assert.equal(first.saved, 'written');
    assert.equal(cacheOf(file), codeCacheFileOf(file));
    assert.match(CODE_CACHE_SUFFIX, new RegExp(`^\\.${process.arch}-v8-${process.versions.v8.replace(/\./g, '\\.')}-[0-9a-f]+\\.code-cache$`), 'named for this architecture, V8 and its tag');

    const second = load(file);
    assert.equal(second.codeCache, 'accepted');
    assert.deepEqual(second.exports, first.exports);
    assert.equal(second.saved, 'kept', 'a cache V8 used is not written again');
    assert.deepEqual(readdirSync(folder).filter((entry) => entry.endsWith('.partial')), []);
  });

  test('never hands a rebuilt file the bytecode of the one before, even at the same length', () => {
    const file = fresh(moduleSource(41));
    assert.equal(load(file).saved, 'written');
    const { mtime } = statSync(file);
    writeFileSync(file, moduleSource(97));
    // Even with the old file's modification time: only the content names a version.
    utimesSync(file, mtime, mtime);
    const rebuilt = load(file);
    assert.equal(rebuilt.codeCache, 'absent', 'the cache names another version of the file');
    assert.equal((rebuilt.exports as { answer: number }).answer, 97);
    assert.equal(rebuilt.saved, 'written');
    assert.equal(load(file).codeCache, 'accepted');
  });

  test('a copy of the file and its cache with other modification times (an image layer, a builder resetting them) still uses the cache', () => {
    const file = fresh(moduleSource(23));
    assert.equal(load(file).saved, 'written');
    // A Docker image layer keeps modification times to the second; kaniko's COPY --from sets them to the build's.
    const truncated = new Date(Math.floor(statSync(file).mtimeMs / 1000) * 1000 - 60_000);
    utimesSync(file, truncated, truncated);
    utimesSync(codeCacheFileOf(file), truncated, truncated);
    const copied = load(file);
    assert.equal(copied.codeCache, 'accepted');
    assert.equal(copied.saved, 'kept');
    assert.equal((copied.exports as { answer: number }).answer, 23);
  });

  test('a damaged cache is rejected by V8, the source compiled, and the cache written anew', () => {
    const file = fresh(moduleSource(7));
    assert.equal(load(file).saved, 'written');
    const cache = cacheOf(file);
    const bytes = readFileSync(cache);
    const stampLength = bytes.indexOf(0x0a) + 1;
    // V8's header (its version, flags and the source's hash) sits first: a wrong byte there is refused outright.
    for (let i = stampLength; i < stampLength + 16; i++) bytes[i] = bytes[i]! ^ 0xff;
    writeFileSync(cache, bytes);
    const damaged = load(file);
    assert.equal(damaged.codeCache, 'rejected');
    assert.equal((damaged.exports as { answer: number }).answer, 7);
    assert.equal(damaged.saved, 'written');
    assert.equal(load(file).codeCache, 'accepted');
  });

  test('NODE_DISABLE_COMPILE_CACHE turns it off, as it does Node\'s own compile cache', () => {
    const file = fresh(moduleSource(3));
    assert.equal(load(file).saved, 'written');
    const off = load(file, { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(off.codeCache, 'off');
    assert.equal(off.saved, 'off');
    assert.equal((off.exports as { answer: number }).answer, 3);
  });

  test('a start under V8 flags keeps a cache of its own, and the one made without them stays as it was', () => {
    const file = fresh(moduleSource(8));
    const plain = load(file);
    assert.equal(plain.saved, 'written');
    const made = readFileSync(plain.cacheFile!);
    // V8 keys its caches on this flag on Node 20 (a cache made without it is rejected there), not on Node 24.
    const flagged = { NODE_OPTIONS: '--max-old-space-size=256' };
    const first = load(file, flagged);
    assert.notEqual(first.codeCache, 'rejected', 'a flag is not a reason to compile');
    if (first.cacheFile === plain.cacheFile) assert.equal(first.codeCache, 'accepted', 'the same tag: the same cache');
    else assert.deepEqual([first.codeCache, first.saved], ['absent', 'written']);
    assert.equal(load(file, flagged).codeCache, 'accepted');
    assert.ok(readFileSync(plain.cacheFile!).equals(made), 'the cache made without the flag is not rewritten');
    assert.equal(load(file).codeCache, 'accepted');
  });

  test('a cache it cannot write leaves the module running and nothing half-written behind', () => {
    const file = fresh(moduleSource(5));
    // A folder where the cache would go: renaming the written file over it fails, even for root.
    const cache = codeCacheFileOf(file);
    mkdirSync(cache);
    const loaded = load(file);
    assert.equal(loaded.codeCache, 'absent');
    assert.equal(loaded.saved, 'unwritable');
    assert.equal((loaded.exports as { answer: number }).answer, 5);
    assert.deepEqual(readdirSync(folder).filter((entry) => entry.endsWith('.partial')), []);
    assert.ok(existsSync(cache));
  });

  test('refuses a file not written inside the wrapper, rather than run it as something else', () => {
    const file = fresh(`module.exports = 1;\n`);
    assert.match(load(file).error?.message ?? '', /not written inside Node's CommonJS wrapper/);
  });

  test('an error the module throws reaches the caller', () => {
    const file = fresh(`${COMMONJS_WRAPPER_START}throw new RangeError('from the module');${COMMONJS_WRAPPER_END}`);
    assert.deepEqual(load(file).error, { name: 'RangeError', message: 'from the module' });
  });
});
