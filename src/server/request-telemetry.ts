import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { randomUuid } from '../foundation/random-uuid.js';
import type { ServingState } from '../serving/serving-state.js';
import type { HttpMetrics } from './http-metrics.js';
import type { RequestLog } from './request-log.js';

export const REQUEST_ID_HEADER = 'x-request-id';
// A caller's id is reused only when it is short and plain, so it cannot forge log lines or bloat them.
const ACCEPTABLE_ID = /^[\w.:@/+=-]{1,128}$/;

/** The caller's request id when acceptable, else a fresh UUID (HTTP headers and gRPC metadata alike). */
export function requestIdFrom(given: unknown): string {
  return typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : randomUuid();
}

/** Fastify's genReqId: the caller's `x-request-id` when acceptable, else a fresh UUID. */
export function requestId(request: IncomingMessage): string {
  return requestIdFrom(request.headers[REQUEST_ID_HEADER]);
}

/** Whether arrival and abort lines are written (debug and trace): decided once, or their fields are built for every request and dropped. */
export function logsArrivals(log: FastifyBaseLogger): boolean {
  return log.level === 'debug' || log.level === 'trace';
}

// Marks a request counted in flight, so it is taken off exactly once (answered or aborted).
const inFlight = Symbol('inFlight');
type Counted = { [inFlight]?: boolean };

/**
 * Per request, in one hook each way: echoes the request id; keeps the in-flight count (the gauge and shutdown
 * read it); records count and duration by route pattern; and hands the answered request to the request log,
 * which decides whether it gets a line (never with the body). `Connection: close` while draining stays in
 * connection-draining.ts: it must reach requests already in flight when the drain starts, so it is decided
 * when the answer is sent, not when the request arrives.
 */
export function installRequestTelemetry(app: FastifyInstance, metrics: HttpMetrics, state: ServingState, log: RequestLog): void {
  const arrivals = logsArrivals(app.log);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    state.requestStarted();
    (request as Counted)[inFlight] = true;
    if (arrivals) request.log.debug({ method: request.method, url: request.url, inFlight: state.inFlight }, 'request received');
    done();
  });
  const release = (request: Counted): void => {
    if (request[inFlight] === true) {
      request[inFlight] = false;
      state.requestFinished();
    }
  };
  // A client that hangs up before its response would otherwise stay counted for ever.
  app.addHook('onRequestAbort', (request, done) => {
    release(request as Counted);
    if (arrivals) request.log.debug({ inFlight: state.inFlight }, 'request aborted by the client');
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    release(request as Counted);
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const durationMs = reply.elapsedTime;
    metrics.answered(route, request.method, status, durationMs / 1000);
    log.answered(request, route, status, durationMs);
    done();
  });
}
