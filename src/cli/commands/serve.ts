import { defineCommand } from 'citty';
import { runSafely } from '../run-safely.js';

export const serveCommand = defineCommand({
  meta: { name: 'serve', description: 'Serve the model over HTTP (configured by environment variables; see docs/server.md)' },
  args: {},
  run: () => runSafely(async () => {
    // Loaded here so the other commands do not pay for importing the HTTP stack.
    const [{ loadServerConfig }, { startServer }] = await Promise.all([
      import('../../config/server-config.js'),
      import('../../server/start-server.js'),
    ]);
    await startServer(loadServerConfig(process.env));
  }),
});
