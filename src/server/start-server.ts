import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { redactedServerConfig, type ServerConfig } from '../config/server-config.js';
import { ChurnError } from '../errors.js';
import type { CodeCacheUse } from '../foundation/code-cache.js';
import { openModelWithProvenance } from '../runtimes/open-model-from.js';
import { openServingCore, servingSettings } from '../serving/open-serving-core.js';
import type { ServingCore } from '../serving/serving-core.js';
import { ServingState } from '../serving/serving-state.js';
import { aliasFollower, modelSourceOptions } from './alias-following.js';
import { buildApp } from './app.js';
import { installGracefulShutdown } from './graceful-shutdown.js';
import type { RunningGrpcServer } from './grpc/grpc-server.js';
import { bufferedStdout } from './log-destination.js';

export interface RunningServer {
  app: FastifyInstance;
  core: ServingCore;
  /** The address actually listened on (PORT=0 picks a free port). */
  url: string;
  /** The gRPC endpoint, unless GRPC_PORT=0 turned it off; closing the app closes it. */
  grpc?: RunningGrpcServer;
}

/**
 * Starts the gRPC endpoint beside the HTTP server (loaded only when GRPC_PORT is set: a server without it never
 * loads grpc-js), and ties it to the app's lifecycle: app.close() stops it accepting when the HTTP server stops,
 * and waits for its calls before the core (and the model's native resources) go.
 */
async function startGrpc(app: FastifyInstance, config: ServerConfig, core: ServingCore): Promise<RunningGrpcServer> {
  const { startGrpcServer } = await import('./grpc/grpc-server.js');
  const grpc = await startGrpcServer(config, core, app.log.child({ transport: 'grpc' }));
  let closing: Promise<void> = Promise.resolve();
  app.addHook('preClose', (done) => {
    closing = grpc.close();
    done();
  });
  // onClose hooks run last-registered first: this one runs before buildApp's, which closes the core. grpc-js may
  // report the shutdown done while a call's message is still arriving: the in-flight count says when it is.
  app.addHook('onClose', async () => {
    const waited = new Promise<void>((resolve) => setTimeout(resolve, config.requestTimeoutMs + 1000).unref());
    await Promise.race([Promise.all([closing, core.state.whenIdle()]), waited]);
    await grpc.closeRemaining();
  });
  return grpc;
}

/** What the process knew before the server's code ran. */
export interface StartFacts {
  /** How the server's own code was compiled (src/foundation/code-cache.ts); undefined when not from the bundle. */
  readonly codeCache?: CodeCacheUse;
}

/**
 * Fetches (for a URL), verifies and loads the model MODEL_PATH names, warms it up, listens, and installs the
 * SIGTERM/SIGINT handling. Logs the model load (format, version, time) and the listening address, which
 * tests read to find the port, with the start's phases and whether V8's code cache served it.
 */
export async function startServer(config: ServerConfig, facts: StartFacts = {}): Promise<RunningServer> {
  // performance.now() counts from the process's start: what came before this call is Node's own start-up and
  // loading the modules (the `listening` line splits the start-up time up, for bench/start-up.bench.ts).
  const started = performance.now();
  const stdout = bufferedStdout();
  // The start-up log needs no app: download progress and retries are logged before the app exists.
  const startupLog = pino({ level: config.logLevel }, stdout);
  startupLog.info({ config: redactedServerConfig(config) }, 'configuration');
  let core: ServingCore;
  try {
    const { runtime, provenance } = await openModelWithProvenance(config.modelPath, modelSourceOptions(config, (message, fields) => startupLog.info(fields, message)));
    const loadMs = performance.now() - started;
    core = await openServingCore(runtime, {
      ...servingSettings(config, (message, fields) => startupLog.warn(fields, message)), state: new ServingState(), provenance,
    }).catch(async (error: unknown) => {
      await runtime.close();
      throw error;
    });
    const { name, version, format, task } = core.plane.card;
    startupLog.info({ model: name, version, format, task, provenance, loadMs: round(loadMs), warmUpMs: round(performance.now() - started - loadMs) }, 'model loaded and verified');
  } catch (error) {
    stdout.close();
    throw error;
  }
  const modelReady = performance.now();
  const app = buildApp(config, core, { logStream: stdout });
  const follower = aliasFollower(config, core, app.log);
  // Before the core closes the model: a refresh under way must not swap a model into a closed core.
  app.addHook('preClose', async () => { await follower?.stop(); });
  app.addHook('onClose', (_instance, done) => {
    stdout.close();
    done();
  });
  // gRPC first: once the "listening" line is out, both endpoints answer.
  let grpc: RunningGrpcServer | undefined;
  if (config.grpcPort !== 0) {
    try {
      grpc = await startGrpc(app, config, core);
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
  }
  let url: string;
  let appBuilt = performance.now();
  try {
    await app.ready();
    appBuilt = performance.now();
    url = await app.listen({ port: config.port, host: config.host });
  } catch (cause) {
    await app.close().catch(() => undefined);
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new ChurnError('INVALID_CONFIG', `PORT/HOST: cannot listen on ${config.host}:${config.port} (${code})`, [], { cause });
    }
    throw cause;
  }
  installGracefulShutdown(app, core.state, config, { servers: grpc === undefined ? [] : [grpc] });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const now = performance.now();
  const phases = { modulesMs: round(started), modelMs: round(modelReady - started), appMs: round(appBuilt - modelReady), listenMs: round(now - appBuilt) };
  app.log.info({ url, port, ...(grpc === undefined ? {} : { grpcPort: grpc.port }), startupMs: round(now - started), sinceProcessStartMs: round(now), ...phases, ...(facts.codeCache === undefined ? {} : { codeCache: facts.codeCache }) }, 'listening');
  if (follower !== undefined) {
    follower.start();
    app.log.info({ modelPath: config.modelPath, everySeconds: config.modelRefreshSeconds }, 'following the model alias');
  }
  // Supervisors and tests wait for this line: do not leave it in the buffer.
  stdout.flush();
  return grpc === undefined ? { app, core, url } : { app, core, url, grpc };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
