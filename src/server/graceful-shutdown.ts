import { constants } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config/server-config.js';
import type { ServingState } from '../serving/serving-state.js';

export interface ShutdownOptions {
  /** Called with the exit code when shutdown ends; process.exit by default. */
  exit?: (code: number) => void;
}

/**
 * What Kubernetes relies on when it deletes a pod. On SIGTERM (or SIGINT):
 * 1. readiness turns 503 at once, but the server keeps accepting and serving for SHUTDOWN_DRAIN_SECONDS,
 *    because endpoint removal reaches kube-proxy and load balancers only seconds later; responses say
 *    `Connection: close` meanwhile;
 * 2. then it stops accepting (server.close also drops idle keep-alive sockets), lets in-flight requests
 *    finish, closes what connections remain, and exits 0. In-flight requests get at most
 *    REQUEST_TIMEOUT_MS + 1 s before they are cut.
 * A second signal exits at once (128 + signal number), for an operator who does not want to wait.
 */
export function installGracefulShutdown(app: FastifyInstance, state: ServingState, config: ServerConfig, options: ShutdownOptions = {}): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let signalled = false;

  const stop = async (): Promise<void> => {
    app.log.info({ inFlight: state.inFlight }, 'drain window over: refusing new connections, finishing in-flight requests');
    // close() stops accepting and drops idle keep-alive sockets; it resolves once every socket is gone.
    const closed = app.close();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.requestTimeoutMs + 1000).unref());
    const finished = await Promise.race([state.whenIdle().then(() => true), deadline.then(() => false)]);
    if (!finished) app.log.warn({ inFlight: state.inFlight }, 'in-flight requests outlived REQUEST_TIMEOUT_MS at shutdown: cutting them');
    // What is left has no request in flight (or one too slow to wait for): connections that never sent
    // a request, which Node does not count as idle and would otherwise hold the process open.
    app.server.closeAllConnections();
    try {
      await closed;
      app.log.info('stopped');
      exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'error while closing');
      exit(1);
    }
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      app.log.warn({ signal }, 'second signal: exiting at once');
      exit(128 + (constants.signals[signal] ?? 0));
      return;
    }
    signalled = true;
    state.beginDrain();
    app.log.info({ signal, drainSeconds: config.shutdownDrainSeconds }, 'draining: readiness is now 503, still serving');
    setTimeout(() => void stop(), config.shutdownDrainSeconds * 1000);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
