import { Server, ServerCredentials, ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../../config/server-config.js';
import { ChurnError } from '../../errors.js';
import type { ServingCore } from '../../serving/serving-core.js';
import type { ServingState } from '../../serving/serving-state.js';
import { GrpcMetrics } from './grpc-metrics.js';
import { HealthStatuses, type ServingStatus } from './health-service.js';
import { inferenceService } from './inference-service.js';
import { INFERENCE_SERVICE, inferenceProtos, serviceDefinition } from './protocol-buffers.js';

/** The health service name that answers liveness: SERVING while the process runs, whatever the load. */
export const LIVENESS_SERVICE = 'liveness';
// How often the health service's statuses follow the core's readiness (overload and warm-up change it).
const HEALTH_SYNC_MS = 250;
// Once in-flight calls are done, how long their last frames get to reach the clients before connections are cut.
const FLUSH_GRACE_MS = 1000;
// Connections are recycled (GOAWAY, then a grace period) so clients spread over replicas added since they
// connected: an HTTP/2 connection otherwise pins a client to one pod for its lifetime.
const MAX_CONNECTION_AGE_MS = 5 * 60_000;

/**
 * Counts Open Inference Protocol calls in flight from the moment their headers arrive until their status is sent
 * or they are cancelled (a deadline, a client gone), in the same count as HTTP requests: shutdown then waits for
 * a call whose message is still arriving, as it waits for an HTTP request whose body is. Health streams (Watch)
 * are left out: they last as long as the client wants.
 */
function inFlightCounter(state: ServingState): ServerInterceptor {
  return (method, call) => {
    if (!method.path.startsWith(`/${INFERENCE_SERVICE}/`)) return new ServerInterceptingCall(call);
    let counted = false;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      state.requestFinished();
    };
    return new ServerInterceptingCall(call, {
      start: (next) => next({
        onReceiveMetadata: (metadata, forward) => {
          counted = true;
          state.requestStarted();
          forward(metadata);
        },
        onCancel: release,
      }),
      sendStatus: (status, forward) => {
        forward(status);
        release();
      },
    });
  };
}

/** The gRPC endpoint as the shutdown sequence drives it. */
export interface RunningGrpcServer {
  readonly port: number;
  /** Readiness turned false: health answers NOT_SERVING at once (calls are still served). */
  beginDrain(): void;
  /** Stops accepting calls (GOAWAY); resolves once the server has let go of every connection. */
  close(): Promise<void>;
  /**
   * Once calls are done (or their wait is over): lets answers just sent reach their clients (up to a second), then
   * cuts what remains: open Watch streams, calls that outlived the wait.
   */
  closeRemaining(): Promise<void>;
}

/**
 * Listens for gRPC on HOST:GRPC_PORT beside the HTTP server, over the same serving core: the Open Inference
 * Protocol's inference.GRPCInferenceService, and grpc.health.v1.Health for Kubernetes' gRPC probes (the
 * server, "" and the inference service answer readiness; "liveness" answers liveness). Messages larger than
 * BODY_LIMIT_BYTES are refused with RESOURCE_EXHAUSTED by grpc-js before they are decoded.
 */
export async function startGrpcServer(config: ServerConfig, core: ServingCore, log: FastifyBaseLogger): Promise<RunningGrpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': config.bodyLimitBytes,
    'grpc.max_connection_age_ms': MAX_CONNECTION_AGE_MS,
    // In-flight calls on a recycled connection get as long as a slow HTTP request would.
    'grpc.max_connection_age_grace_ms': config.requestTimeoutMs,
    interceptors: [inFlightCounter(core.state)],
  });
  server.addService(serviceDefinition(inferenceProtos, INFERENCE_SERVICE), inferenceService(core, log, new GrpcMetrics(core.metrics.registry)));

  const health = new HealthStatuses({ [LIVENESS_SERVICE]: 'SERVING' });
  health.addTo(server);
  // Watch streams hear of changes only: set() leaves an unchanged status alone.
  const syncHealth = (): void => {
    const status: ServingStatus = core.ready ? 'SERVING' : 'NOT_SERVING';
    health.set('', status);
    health.set(INFERENCE_SERVICE, status);
  };
  syncHealth();
  const timer = setInterval(syncHealth, HEALTH_SYNC_MS);
  timer.unref();

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${config.host}:${config.grpcPort}`, ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
    });
  } catch (cause) {
    clearInterval(timer);
    server.forceShutdown();
    throw new ChurnError('INVALID_CONFIG', `GRPC_PORT/HOST: cannot listen on ${config.host}:${config.grpcPort} (${(cause as Error).message})`, [], { cause });
  }
  log.info({ port }, 'grpc listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    beginDrain: syncHealth,
    close: () => {
      clearInterval(timer);
      syncHealth();
      closing ??= new Promise<void>((resolve) => { server.tryShutdown(() => resolve()); });
      return closing;
    },
    closeRemaining: async () => {
      clearInterval(timer);
      if (closing !== undefined) await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, FLUSH_GRACE_MS).unref())]);
      server.forceShutdown();
    },
  };
}
