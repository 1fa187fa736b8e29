import { performance } from 'node:perf_hooks';
import { Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { FastifyBaseLogger } from 'fastify';
import { ChurnError, errorCatalogue } from '../../errors.js';
import type { MaybePromise } from '../../serving/maybe-promise.js';
import type { ServingCore } from '../../serving/serving-core.js';
import { toChurnError } from '../http-errors.js';
import { requestIdFrom } from '../request-telemetry.js';
import { grpcErrorOf, REQUEST_ID_KEY } from './grpc-errors.js';
import type { GrpcMetrics } from './grpc-metrics.js';

/** What a method's work gets besides the request bytes. */
export interface CallContext {
  readonly requestId: string;
  /** Throws DEADLINE_EXCEEDED when the call's deadline has passed (checked before work and before scoring). */
  checkDeadline(): void;
}

export interface UnaryOptions {
  /** Admit through the serving core (API key, model serving, shedding) and count as a data-plane call; false for server health and metadata. */
  admit: boolean;
}

export type UnaryWork = (request: Buffer, context: CallContext) => MaybePromise<Buffer | object>;

function firstString(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The life of one unary gRPC call, the same for every method, as protocolScope gives it to each HTTP protocol
 * (the in-flight count shutdown waits for is kept by the server's interceptor, from the call's first bytes):
 * a passed deadline answered DEADLINE_EXCEEDED before any work; admission by the
 * serving core (the `authorization: Bearer` metadata, model serving, shedding) and callStarted/callEnded with
 * protocol 'grpc' for data-plane methods; every error mapped through the catalogue (INTERNAL logged once with
 * the request id); one log line and one grpc_server_handling_seconds observation per call.
 */
export function unaryCalls(core: ServingCore, log: FastifyBaseLogger, metrics: GrpcMetrics, service: string) {
  return (method: string, options: UnaryOptions, work: UnaryWork) => (call: ServerUnaryCall<Buffer, unknown>, callback: sendUnaryData<unknown>): void => {
    const started = performance.now();
    const requestId = requestIdFrom(firstString(call.metadata, REQUEST_ID_KEY));
    const deadline = call.getDeadline();
    const context: CallContext = {
      requestId,
      checkDeadline: () => {
        const at = deadline instanceof Date ? deadline.getTime() : deadline;
        if (Number.isFinite(at) && at <= Date.now()) throw new ChurnError('DEADLINE_EXCEEDED', 'the call\'s deadline passed before the server could answer it');
      },
    };
    if (options.admit) core.callStarted('grpc');
    let answered = false;
    const finish = (error: ChurnError | undefined, response?: Buffer | object): void => {
      if (answered) return;
      answered = true;
      if (options.admit) core.callEnded('grpc', error?.code ?? 'OK');
      const grpcCode = error === undefined ? 'OK' : errorCatalogue[error.code].grpc;
      const seconds = (performance.now() - started) / 1000;
      metrics.answered(service, method, grpcCode, seconds);
      log.info({ requestId, method, code: grpcCode, ...(error === undefined ? {} : { error: error.code }), durationMs: Math.round(seconds * 1e6) / 1000 }, 'grpc call');
      if (error !== undefined) {
        callback(grpcErrorOf(error, requestId));
        return;
      }
      const trailer = new Metadata();
      trailer.set(REQUEST_ID_KEY, requestId);
      callback(null, response, trailer);
    };
    const fail = (thrown: unknown): void => {
      const error = toChurnError(thrown);
      if (error.code === 'INTERNAL') log.error({ requestId, method, err: thrown }, 'unhandled error');
      finish(error);
    };
    try {
      context.checkDeadline();
      if (options.admit) {
        const denied = core.admit(firstString(call.metadata, 'authorization'));
        if (denied !== undefined) throw denied;
      }
      const respond = (): void => {
        // A call cancelled while it waited in the run queue (by its client, or its deadline) is not worked on,
        // and there is no one to answer.
        if (call.cancelled) {
          answered = true;
          core.callEnded('grpc', 'ABORTED');
          return;
        }
        try {
          const answer = work(call.request, context);
          if (answer instanceof Promise) answer.then((response) => finish(undefined, response), fail);
          else finish(undefined, answer);
        } catch (thrown) {
          fail(thrown);
        }
      };
      if (options.admit) core.run(respond, fail);
      else respond();
    } catch (thrown) {
      fail(thrown);
    }
  };
}
