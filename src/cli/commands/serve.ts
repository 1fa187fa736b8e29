import { defineCommand } from 'citty';
import type { StartFacts } from '../../server/start-server.js';
import { runSafely } from '../run-safely.js';

/** Filled in by main.js before `serve` runs, when it loaded this command from the code-cached bundle. */
export const serveStartFacts: { codeCache?: StartFacts['codeCache'] } = {};

export const serveCommand = defineCommand({
  meta: { name: 'serve', description: 'Serve the model over HTTP (configured by environment variables; see docs/server.md)' },
  args: {},
  run: () => runSafely(async () => {
    // Loaded here so the other commands do not pay for importing the HTTP stack.
    const [{ loadServerConfig }, { startServer }] = await Promise.all([
      import('../../config/server-config.js'),
      import('../../server/start-server.js'),
    ]);
    await startServer(loadServerConfig(process.env), serveStartFacts);
  }),
});
