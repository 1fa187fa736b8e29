import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChurnError } from '../errors.js';
import { parseJsonBody } from '../serving/codecs/json-records.js';
import type { MaybePromise } from '../serving/maybe-promise.js';
import type { Protocol } from '../serving/protocol.js';
import type { ServingCore } from '../serving/serving-core.js';
import { errorHeaders, toChurnError } from './http-errors.js';

/** A protocol served over HTTP: its name (metrics label) and its wire shape for errors. */
export interface HttpProtocol {
  readonly protocol: Protocol;
  /** The status and body this protocol answers for a catalogue error. */
  errorResponse(error: ChurnError): { status: number; body: unknown };
}

export interface ProtocolScopeOptions {
  /** Admit every request through the serving core (auth, model serving, overload) and count it; false for health and server metadata. */
  admit: boolean;
  prefix?: string;
}

// Marks a request counted as a data-plane call, so it is ended exactly once (answered or aborted); and the
// catalogue code it failed with.
const CALL = Symbol('dataPlaneCall');
const FAILED = Symbol('failedWith');
type Marked = { [CALL]?: boolean; [FAILED]?: string };

// A refused request's body is still read (and dropped) by Node, so its connection stays open: a client told to
// retry reconnecting would cost more than reading a body this size, and would wait in the kernel's accept queue,
// where libuv takes one connection per turn of the loop. Larger bodies, or ones of unknown size, close it instead.
const MAX_DRAINED_BODY_BYTES = 1024 * 1024;

/** Whether the client closed the connection (an injected request's socket has no `writable`: only false means gone). */
export function clientGone(request: IncomingMessage): boolean {
  const { socket } = request;
  return socket.destroyed === true || socket.writable === false;
}

/** Whether a refused request's body is small enough, and of known size, to read and drop rather than close its connection. */
export function drainable(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  if (length === undefined) return headers['transfer-encoding'] === undefined;
  return Number(length) <= MAX_DRAINED_BODY_BYTES;
}

/**
 * Registers one protocol's HTTP routes in a scope that gives them what every protocol gets, from one place:
 * admission by the serving core (credentials, model serving, load shedding), the work run through its run
 * queue, in-flight and outcome counts by protocol, JSON decoding timed as the decode stage, and every error
 * mapped through the catalogue — logged with the request id when it is INTERNAL — then written in the
 * protocol's own shape.
 */
export function protocolScope(app: FastifyInstance, core: ServingCore, wire: HttpProtocol, options: ProtocolScopeOptions, routes: (scope: FastifyInstance) => void): void {
  const { protocol } = wire;
  app.register(async (scope) => {
    scope.setErrorHandler((thrown, request, reply) => {
      const error = toChurnError(thrown);
      if (error.code === 'INTERNAL') request.log.error({ err: thrown }, 'unhandled error');
      (request as Marked)[FAILED] = error.code;
      const { status, body } = wire.errorResponse(error);
      reply.code(status).headers(errorHeaders(error)).send(body);
    });

    // Only JSON unless a route adds more (text/plain would otherwise arrive as a string and fail later as a bad record).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
      const started = performance.now();
      let body: unknown;
      try {
        body = parseJsonBody(text as string);
      } catch (error) {
        done(error as ChurnError, undefined);
        return;
      }
      core.plane.observeStage(protocol, 'decode', (performance.now() - started) / 1000);
      done(null, body);
    });

    if (options.admit) {
      scope.addHook('onRequest', (request, reply, done) => {
        core.callStarted(protocol);
        (request as Marked)[CALL] = true;
        const denied = core.admit(request.headers.authorization);
        if (denied?.code === 'OVERLOADED' && !drainable(request.headers)) reply.header('connection', 'close');
        done(denied);
      });
      const ended = (request: FastifyRequest, code: string): void => {
        const marked = request as Marked;
        if (marked[CALL] !== true) return;
        marked[CALL] = false;
        core.callEnded(protocol, code);
      };
      // The handler (decode done, the scoring ahead) runs when the serving core's run queue comes to it. A call
      // whose client closed the connection while it waited is not worked on (its body was read, so Fastify's
      // onRequestAbort does not fire for it; Node ends the socket when the client's FIN arrives).
      scope.addHook('preHandler', (request, _reply, done) => {
        core.run(() => {
          if (!clientGone(request.raw)) {
            done();
            return;
          }
          ended(request, 'ABORTED');
          done(new ChurnError('OVERLOADED', 'the client closed the connection while the call waited'));
        }, done);
      });
      scope.addHook('onResponse', (request, _reply, done) => {
        ended(request, (request as Marked)[FAILED] ?? 'OK');
        done();
      });
      scope.addHook('onRequestAbort', (request, done) => {
        ended(request, 'ABORTED');
        done();
      });
    }
    routes(scope);
  }, options.prefix === undefined ? {} : { prefix: options.prefix });
}

/**
 * Sends a data-plane answer, timing its encoding as the encode stage: at once when it was computed
 * synchronously (no promise per request on the native hot path), or once it resolves. A synchronous handler
 * that returned a value would have it sent twice, so this returns nothing then.
 */
export function sendAnswer<T>(
  reply: FastifyReply, core: ServingCore, protocol: Protocol, answer: MaybePromise<T>, encode?: (value: T) => unknown,
): Promise<void> | undefined {
  const send = (value: T): void => {
    const started = performance.now();
    reply.send(encode === undefined ? value : encode(value));
    core.plane.observeStage(protocol, 'encode', (performance.now() - started) / 1000);
  };
  if (answer instanceof Promise) return answer.then(send);
  send(answer);
  return undefined;
}
