import { constants } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config/server-config.js';
import type { ServingState } from '../serving/serving-state.js';

/** Another listener drained with the HTTP server (the gRPC endpoint); closing the app closes it too. */
export interface DrainableServer {
  /** The drain began: readiness is false from now on (calls are still served). */
  beginDrain(): void;
  /** Once in-flight work is done or its wait is over: lets the last answers out, then cuts what remains. */
  closeRemaining(): Promise<void>;
}

export interface ShutdownOptions {
  /** Called with the exit code when shutdown ends; process.exit by default. */
  exit?: (code: number) => void;
  /** Listeners beside the HTTP server (gRPC), drained and stopped in the same steps. */
  servers?: readonly DrainableServer[];
}

/**
 * What Kubernetes relies on when it deletes a pod. On SIGTERM (or SIGINT):
 * 1. readiness turns 503 at once, but the server keeps accepting and serving for SHUTDOWN_DRAIN_SECONDS,
 *    because endpoint removal reaches kube-proxy and load balancers only seconds later; responses say
 *    `Connection: close` meanwhile;
 * 2. then it stops accepting (server.close also drops idle keep-alive sockets), lets in-flight requests
 *    finish, closes what connections remain, and exits 0. In-flight requests get at most
 *    REQUEST_TIMEOUT_MS + 1 s before they are cut.
 * The gRPC endpoint, when there is one, follows the same steps: its health turns NOT_SERVING with readiness,
 * it keeps serving through the drain, then (app.close closes it) stops accepting (GOAWAY) and finishes its
 * in-flight calls, which the same in-flight count covers.
 * A second signal exits at once (128 + signal number), for an operator who does not want to wait.
 */
export function installGracefulShutdown(app: FastifyInstance, state: ServingState, config: ServerConfig, options: ShutdownOptions = {}): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const servers = options.servers ?? [];
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
    await Promise.all(servers.map((server) => server.closeRemaining()));
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
    for (const server of servers) server.beginDrain();
    app.log.info({ signal, drainSeconds: config.shutdownDrainSeconds }, 'draining: readiness is now 503, still serving');
    setTimeout(() => void stop(), config.shutdownDrainSeconds * 1000);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
