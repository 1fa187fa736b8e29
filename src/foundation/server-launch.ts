import { join } from 'node:path';
import { packageRoot } from './package-files.js';

/**
 * The flags `node` is given wherever the server is launched: `npm start` and the image's entrypoint (tests hold
 * both to this list), and the benches and the code-cache warm-up, so that they measure and warm the server as it
 * runs.
 *
 * `--max-semi-space-size=8`: V8 sizes its young generation once, at launch (setting the flag later changes nothing),
 * and under any sustained load grows it to two 16 MiB halves, a quarter of a busy replica's memory. At 8 MiB a half,
 * a replica under 1,000-record batches peaked at 116-118 MiB rather than 133-134, and alternated rounds found no
 * cost in CPU per request or per batch (docs/server.md, Memory).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** This package's built command line. */
export const builtCli = join(packageRoot, 'dist', 'src', 'cli', 'main.js');

/** `node`'s arguments that start the server of the build at `cli` (this one's by default) as it is launched. */
export function serveArguments(cli = builtCli): string[] {
  return [...SERVER_NODE_FLAGS, cli, 'serve'];
}
