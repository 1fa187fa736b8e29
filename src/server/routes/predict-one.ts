import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import type { ChurnError } from '../../errors.js';
import { parseJsonBody } from '../../serving/codecs/json-records.js';
import type { SinglePrediction } from '../../serving/predictions.js';
import { expiredCall, type ServingCore } from '../../serving/serving-core.js';
import type { QueuedCall } from '../../serving/work-queue.js';
import type { DocumentedRoute } from '../api-docs-app.js';
import type { RawRoute } from '../front-door.js';
import { errorHeaders, toChurnError, transportError } from '../http-errors.js';
import type { HttpMetrics } from '../http-metrics.js';
import type { ApiSchemas } from '../openapi-schemas.js';
import { clientGone, drainable, type HttpProtocol } from '../protocol-scope.js';
import type { RequestLog } from '../request-log.js';
import { logsArrivals, REQUEST_ID_HEADER, requestId } from '../request-telemetry.js';
import { explainQuery, noBody, predictOptions } from './predict-query.js';

export const PREDICT_PATH = '/predict';

export interface PredictOneDependencies {
  core: ServingCore;
  /** REST's wire shape for errors. */
  wire: HttpProtocol;
  metrics: HttpMetrics;
  requestLog: RequestLog;
  log: FastifyBaseLogger;
  bodyLimitBytes: number;
  /** True once the app began closing: answers then say `Connection: close`, as Fastify's own would. */
  closing: () => boolean;
}

/** What every call reads, decided once: arrival and abort lines are written only at debug and trace. */
interface CallContext extends PredictOneDependencies {
  readonly arrivals: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const METHOD = 'POST';
const QUESTION_MARK = 0x3f;

/** Whether a Content-Type header names JSON, parameters (a charset) aside, as Fastify matches its JSON parser. */
function isJson(contentType: string): boolean {
  // What clients send, checked before the slicing and lowering below (those cost a request about 500 instructions).
  if (contentType === 'application/json') return true;
  const end = contentType.indexOf(';');
  return (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase() === 'application/json';
}

/** The `explain` query parameter's value: undefined when absent, an array when repeated (which predictOptions refuses). */
function explainParameter(url: string, queryStart: number): unknown {
  if (queryStart === -1) return undefined;
  const values = new URLSearchParams(url.slice(queryStart + 1)).getAll('explain');
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

// The call a request and its response belong to, so one listener function serves every call (no closures per call).
const CALL = Symbol('predictCall');
type Carrier = { [CALL]: PredictCall };

function onData(this: IncomingMessage, chunk: Buffer): void { (this as unknown as Carrier)[CALL].read(chunk); }
function onEnd(this: IncomingMessage): void { (this as unknown as Carrier)[CALL].bodyRead(); }
function onFinish(this: ServerResponse): void { (this as unknown as Carrier)[CALL].answered(); }
function onClose(this: ServerResponse): void { (this as unknown as Carrier)[CALL].closed(); }

/**
 * One POST /predict call, from its headers to its last byte: admitted by the serving core, its JSON body read
 * within the limit, run through the core's run queue, scored, answered, and counted once when its response is
 * done or its client went away. The same steps, codes and counts as every REST route gets from protocolScope and
 * installRequestTelemetry, in one object instead of a framework's lifecycle.
 */
class PredictCall implements QueuedCall {
  private readonly started = performance.now();
  private readonly id: string;
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private received = 0;
  /** The body was refused (too large): what still arrives is dropped. */
  private refused = false;
  private body: unknown;
  private failedWith: string | undefined;
  private closeConnection = false;
  /** Counted as answered or aborted: once only. */
  private done = false;

  constructor(
    private readonly deps: CallContext,
    private readonly request: IncomingMessage,
    private readonly response: ServerResponse,
    private readonly queryStart: number,
  ) {
    this.id = requestId(request);
  }

  begin(): void {
    const { core } = this.deps;
    const { request, response } = this;
    core.state.requestStarted();
    core.callStarted(this.deps.wire.protocol);
    (response as unknown as Carrier)[CALL] = this;
    response.on('close', onClose);
    if (this.deps.arrivals) {
      this.deps.log.debug({ requestId: this.id, method: METHOD, url: request.url, inFlight: core.state.inFlight }, 'request received');
    }
    const { headers } = request;
    const denied = core.admit(headers.authorization);
    if (denied !== undefined) {
      if (denied.code === 'OVERLOADED' && !drainable(headers)) this.closeConnection = true;
      this.fail(denied);
      return;
    }
    const contentType = headers['content-type'];
    if (contentType === undefined) {
      const empty = headers['transfer-encoding'] === undefined && (headers['content-length'] === undefined || headers['content-length'] === '0');
      this.fail(empty ? noBody() : transportError('UNSUPPORTED_MEDIA_TYPE'));
      return;
    }
    if (!isJson(contentType)) {
      this.fail(transportError('UNSUPPORTED_MEDIA_TYPE'));
      return;
    }
    if (Number(headers['content-length']) > this.deps.bodyLimitBytes) {
      this.fail(transportError('PAYLOAD_TOO_LARGE'));
      return;
    }
    (request as unknown as Carrier)[CALL] = this;
    request.on('data', onData);
    request.on('end', onEnd);
  }

  read(chunk: Buffer): void {
    if (this.refused) return;
    this.received += chunk.length;
    if (this.received > this.deps.bodyLimitBytes) {
      this.refused = true;
      this.first = undefined;
      this.more = undefined;
      this.fail(transportError('PAYLOAD_TOO_LARGE'));
      return;
    }
    if (this.first === undefined) this.first = chunk;
    else (this.more ??= [this.first]).push(chunk);
  }

  bodyRead(): void {
    if (this.refused) return;
    const bytes = this.more === undefined ? this.first : Buffer.concat(this.more, this.received);
    this.first = undefined;
    this.more = undefined;
    const { core, wire } = this.deps;
    const decoding = performance.now();
    try {
      this.body = parseJsonBody(bytes === undefined ? '' : bytes.toString('utf8'));
    } catch (error) {
      this.fail(error);
      return;
    }
    core.plane.observeStage(wire.protocol, 'decode', (performance.now() - decoding) / 1000);
    core.queue.submit(this);
  }

  /** The run queue came to the call. One whose client went away meanwhile is not worked on: onClose counted it. */
  run(): void {
    if (clientGone(this.request)) return;
    try {
      const { core, wire } = this.deps;
      const options = predictOptions(explainParameter(this.request.url!, this.queryStart));
      const answer = core.plane.predict(this.body, options, wire.protocol, this.id);
      if (answer instanceof Promise) answer.then((prediction) => { this.answer(prediction); }, (error: unknown) => { this.fail(error); });
      else this.answer(answer);
    } catch (error) {
      this.fail(error);
    }
  }

  /** The call waited in the run queue past its bound. */
  expire(waitedMs: number): void {
    this.fail(expiredCall(waitedMs));
  }

  private answer(prediction: SinglePrediction): void {
    const encoding = performance.now();
    this.send(200, JSON.stringify(prediction), undefined);
    this.deps.core.plane.observeStage(this.deps.wire.protocol, 'encode', (performance.now() - encoding) / 1000);
  }

  private fail(thrown: unknown): void {
    const error: ChurnError = toChurnError(thrown);
    if (error.code === 'INTERNAL') this.deps.log.error({ requestId: this.id, err: thrown }, 'unhandled error');
    this.failedWith = error.code;
    const { status, body } = this.deps.wire.errorResponse(error);
    this.send(status, JSON.stringify(body), errorHeaders(error));
  }

  private send(status: number, payload: string, extra: Record<string, string> | undefined): void {
    const { response } = this;
    if (response.headersSent || response.destroyed) return;
    const headers: string[] = [
      'content-type', JSON_TYPE,
      'content-length', String(Buffer.byteLength(payload)),
      REQUEST_ID_HEADER, this.id,
    ];
    if (this.closeConnection || this.deps.core.state.draining || this.deps.closing()) headers.push('connection', 'close');
    if (extra !== undefined) for (const name in extra) headers.push(name, extra[name]!);
    response.on('finish', onFinish);
    response.writeHead(status, headers);
    response.end(payload);
  }

  /** The response went out whole: released, counted, measured and maybe logged, as the REST scope's onResponse does. */
  answered(): void {
    // (light-my-request's response emits 'finish' twice.)
    if (this.done) return;
    this.done = true;
    const { core, wire, metrics, requestLog } = this.deps;
    core.state.requestFinished();
    const durationMs = performance.now() - this.started;
    const status = this.response.statusCode;
    metrics.answered(PREDICT_PATH, METHOD, status, durationMs / 1000);
    requestLog.answered({ id: this.id, method: METHOD, url: this.request.url! }, PREDICT_PATH, status, durationMs);
    core.callEnded(wire.protocol, this.failedWith ?? 'OK');
  }

  /** The connection closed (or the response did): when before the whole response went out, the call ends as aborted. */
  closed(): void {
    if (this.done) return;
    this.done = true;
    const { core, wire, log } = this.deps;
    core.state.requestFinished();
    core.callEnded(wire.protocol, 'ABORTED');
    if (this.deps.arrivals) log.debug({ requestId: this.id, inFlight: core.state.inFlight }, 'request aborted by the client');
  }
}

/**
 * POST /predict served outside Fastify's lifecycle. A single-record call's own work (decode, validate, score,
 * answer) is small enough that a framework's hooks, request and reply objects and per-request logger cost as much
 * as what operators need (docs/server.md, Performance): here they are one object per call and no hooks. Everything
 * else about the route is REST's: the catalogue's codes and body, request ids, the request log, metrics by route,
 * admission and the run queue, Connection: close while draining. Other methods and paths go on to Fastify.
 */
export function predictOneRoute(dependencies: PredictOneDependencies): RawRoute {
  const deps: CallContext = { ...dependencies, arrivals: logsArrivals(dependencies.log) };
  return (request, response) => {
    if (request.method !== METHOD) return false;
    const url = request.url!;
    let queryStart = -1;
    if (url !== PREDICT_PATH) {
      if (!url.startsWith(PREDICT_PATH) || url.charCodeAt(PREDICT_PATH.length) !== QUESTION_MARK) return false;
      queryStart = PREDICT_PATH.length;
    }
    new PredictCall(deps, request, response, queryStart).begin();
    return true;
  };
}

/** POST /predict's documentation: the route itself is served outside Fastify (predictOneRoute). */
export function predictDocumentation(core: ServingCore, schemas: ApiSchemas): DocumentedRoute {
  return {
    method: 'POST',
    url: PREDICT_PATH,
    schema: {
      summary: 'Score one customer',
      tags: ['predictions'],
      ...(core.authenticates ? { security: [{ bearerAuth: [] }] } : {}),
      querystring: explainQuery,
      body: { ...schemas.record, example: schemas.recordExample },
      response: { 200: schemas.prediction, '4xx': schemas.error, '5xx': schemas.error },
    },
  };
}
