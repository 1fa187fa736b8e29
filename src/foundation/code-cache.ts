import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { cachedDataVersionTag } from 'node:v8';
import vm from 'node:vm';

/**
 * What became of the code cache when the module loaded: `accepted` (V8 took its bytecode instead of compiling),
 * `rejected` (made by another V8, other flags, or damaged: V8 compiled the source), `absent`, or `off`
 * (NODE_DISABLE_COMPILE_CACHE set, the variable that turns off Node's own compile cache).
 */
export type CodeCacheUse = 'accepted' | 'rejected' | 'absent' | 'off';

/** What `save` did: `written`, `kept` (the cache in place was used), `unwritable` (e.g. a read-only file system), or `off`. */
export type CodeCacheSave = 'written' | 'kept' | 'unwritable' | 'off';

export interface CodeCachedModule {
  readonly exports: unknown;
  readonly codeCache: CodeCacheUse;
  /**
   * Writes the cache when the one in place was not used, with every function compiled so far (call it once the
   * module has done the work later starts repeat). Never throws.
   */
  save(): CodeCacheSave;
}

/**
 * The end of a code cache's name, for this process: the architecture, V8's version and V8's own tag for what its
 * caches must match (version, flags, CPU features). So Node 20 and Node 24, or a start with a flag V8 keys its cache
 * on (on Node 20, `NODE_OPTIONS=--max-old-space-size=256` is one) and one without, each keep their own cache beside
 * the same file instead of rejecting and rewriting one another's at every start.
 */
export const CODE_CACHE_SUFFIX = `.${process.arch}-v8-${process.versions.v8}-${cachedDataVersionTag().toString(16)}.code-cache`;

/** Where the code cache of `file` lies, for this process. */
export function codeCacheFileOf(file: string): string {
  return `${file}${CODE_CACHE_SUFFIX}`;
}

/**
 * How a file for `requireWithCodeCache` begins and ends: the function Node's CommonJS loader wraps every file in,
 * written into the file itself (scripts/build-cli.mjs does), so the string V8 keeps for the script is the one read.
 */
export const COMMONJS_WRAPPER_START = '(function (exports, require, module, __filename, __dirname) {';
export const COMMONJS_WRAPPER_END = '\n})';

/**
 * Runs a CommonJS file as `require` would, compiled from V8's code cache when a valid one lies beside it. The file
 * is written inside Node's CommonJS wrapper (above).
 *
 * Why: compiling the server's bundle (preparsing 2.8 MB of source, then each function on its first call) is a
 * large share of its start. Node 20 offers no compile cache for ES modules (Node 22's `module.enableCompileCache`
 * does), so the server is bundled once more as CommonJS and compiled here through `vm.Script`, whose cached data is
 * V8's bytecode, in the file `codeCacheFileOf` names. Its first line holds the source's sha256, because V8 checks
 * only the source's length: given the cache of a file of the same length, it runs the old file's bytecode. V8 itself
 * rejects data made by another version, with other flags, or damaged.
 */
export function requireWithCodeCache(file: string): CodeCachedModule {
  const cacheFile = codeCacheFileOf(file);
  const off = process.env.NODE_DISABLE_COMPILE_CACHE !== undefined && process.env.NODE_DISABLE_COMPILE_CACHE !== '';
  const { source, stamp } = readSource(file);
  const cachedData = off ? undefined : readCache(cacheFile, stamp);
  if (!source.startsWith(COMMONJS_WRAPPER_START) || !source.endsWith(COMMONJS_WRAPPER_END)) {
    throw new Error(`${file} is not written inside Node's CommonJS wrapper (scripts/build-cli.mjs writes it so)`);
  }
  // `import()` does not occur in an esbuild CommonJS bundle (it becomes `require`): no dynamic-import hook needed.
  const script = new vm.Script(source, { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
  const codeCache: CodeCacheUse = off ? 'off' : cachedData === undefined ? 'absent' : script.cachedDataRejected === true ? 'rejected' : 'accepted';
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    codeCache,
    save: () => {
      if (codeCache === 'off') return 'off';
      if (codeCache === 'accepted') return 'kept';
      return writeCache(cacheFile, stamp, script.createCachedData());
    },
  };
}

/**
 * The source and a stamp naming this version of it: the sha256 of its bytes (about 2 ms for the server's 2.8 MB).
 * Not its modification time: an image layer keeps it to the second, and some image builders reset it.
 */
function readSource(file: string): { source: string; stamp: string } {
  const bytes = readFileSync(file);
  return { source: bytes.toString('utf8'), stamp: `${createHash('sha256').update(bytes).digest('hex')}\n` };
}

function readCache(cacheFile: string, stamp: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const header = Buffer.from(stamp);
  return data.subarray(0, header.length).equals(header) ? data.subarray(header.length) : undefined;
}

/** Written beside and renamed over, so a process reading it (or another writing it) never sees half a cache. */
function writeCache(cacheFile: string, stamp: string, data: Buffer): CodeCacheSave {
  const partial = `${cacheFile}.${process.pid}.partial`;
  try {
    writeFileSync(partial, Buffer.concat([Buffer.from(stamp), data]));
    renameSync(partial, cacheFile);
    return 'written';
  } catch {
    try {
      rmSync(partial, { force: true });
    } catch {
      // The folder refused the write itself: there is nothing to remove.
    }
    return 'unwritable';
  }
}
