import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { redactedServerConfig, type ServerConfig } from '../config/server-config.js';
import { ChurnError } from '../errors.js';
import { openModelFrom } from '../runtimes/open-model-from.js';
import { openServingCore, servingSettings } from '../serving/open-serving-core.js';
import type { ServingCore } from '../serving/serving-core.js';
import { ServingState } from '../serving/serving-state.js';
import { buildApp } from './app.js';
import { installGracefulShutdown } from './graceful-shutdown.js';
import { bufferedStdout } from './log-destination.js';

export interface RunningServer {
  app: FastifyInstance;
  core: ServingCore;
  /** The address actually listened on (PORT=0 picks a free port). */
  url: string;
}

/**
 * Fetches (for a URL), verifies and loads the model MODEL_PATH names, warms it up, listens, and installs the
 * SIGTERM/SIGINT handling. Logs the model load (format, version, time) and the listening address, which
 * tests read to find the port.
 */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const started = performance.now();
  const stdout = bufferedStdout();
  // The start-up log needs no app: download progress and retries are logged before the app exists.
  const startupLog = pino({ level: config.logLevel }, stdout);
  startupLog.info({ config: redactedServerConfig(config) }, 'configuration');
  let core: ServingCore;
  try {
    const runtime = await openModelFrom(config.modelPath, {
      ...(config.modelSha256 === undefined ? {} : { sha256: config.modelSha256 }),
      s3: { region: config.awsRegion, ...(config.awsEndpointUrl === undefined ? {} : { endpoint: config.awsEndpointUrl }) },
      log: (message, fields) => startupLog.info(fields, message),
    });
    const loadMs = performance.now() - started;
    core = await openServingCore(runtime, {
      ...servingSettings(config, (message, fields) => startupLog.warn(fields, message)), state: new ServingState(),
    }).catch(async (error: unknown) => {
      await runtime.close();
      throw error;
    });
    const { name, version, format, task } = core.plane.card;
    startupLog.info({ model: name, version, format, task, loadMs: round(loadMs), warmUpMs: round(performance.now() - started - loadMs) }, 'model loaded and verified');
  } catch (error) {
    stdout.close();
    throw error;
  }
  const app = buildApp(config, core, { logStream: stdout });
  app.addHook('onClose', (_instance, done) => {
    stdout.close();
    done();
  });
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
  installGracefulShutdown(app, core.state, config);
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  app.log.info({ url, port, startupMs: round(performance.now() - started) }, 'listening');
  // Supervisors and tests wait for this line: do not leave it in the buffer.
  stdout.flush();
  return { app, core, url };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
