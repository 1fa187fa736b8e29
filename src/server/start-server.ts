import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { redactedServerConfig, type ServerConfig } from '../config/server-config.js';
import { ChurnError } from '../errors.js';
import { loadModelArtifact } from '../model/artifact-loader.js';
import { buildApp } from './app.js';
import { installGracefulShutdown } from './graceful-shutdown.js';
import { bufferedStdout } from './log-destination.js';
import { ServingState } from './serving-state.js';

export interface RunningServer {
  app: FastifyInstance;
  state: ServingState;
  /** The address actually listened on (PORT=0 picks a free port). */
  url: string;
}

/**
 * Loads and verifies the model, warms it up, listens, and installs the SIGTERM/SIGINT handling.
 * Logs the model load (version, time) and the listening address, which tests read to find the port.
 */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const started = performance.now();
  const model = loadModelArtifact(config.modelPath);
  const loadedMs = performance.now() - started;
  const state = new ServingState();
  const stdout = bufferedStdout();
  const app = buildApp(config, model, { state, logStream: stdout });
  app.addHook('onClose', (_instance, done) => {
    stdout.close();
    done();
  });
  const { name, version, algorithm } = model.manifest;
  app.log.info({ config: redactedServerConfig(config) }, 'configuration');
  app.log.info({ model: name, version, algorithm, loadMs: round(loadedMs) }, 'model loaded and verified');
  let url: string;
  try {
    url = await app.listen({ port: config.port, host: config.host });
  } catch (cause) {
    await app.close().catch(() => undefined);
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new ChurnError('INVALID_CONFIG', `PORT/HOST: cannot listen on ${config.host}:${config.port} (${code})`, [], { cause });
    }
    throw cause;
  }
  installGracefulShutdown(app, state, config);
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  app.log.info({ url, port, startupMs: round(performance.now() - started) }, 'listening');
  // Supervisors and tests wait for this line: do not leave it in the buffer.
  stdout.flush();
  return { app, state, url };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
