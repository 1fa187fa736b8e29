import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ChurnError, isChurnError, type ErrorCode, type FieldError } from '../errors.js';

/** The one error body every REST error has. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: readonly FieldError[] };
}

/** Seconds a client should wait before retrying a 503 (overload, draining, not ready). */
export const RETRY_AFTER_SECONDS = 2;

export function errorBody(error: ChurnError): ErrorBody {
  return { error: { code: error.code, message: error.message, details: error.details } };
}

// Fastify's own error codes, mapped to the catalogue.
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
};

const statusCodes: Record<number, ErrorCode> = {
  404: 'NOT_FOUND', 408: 'REQUEST_TIMEOUT', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 431: 'HEADERS_TOO_LARGE',
};

const messages: Partial<Record<ErrorCode, string>> = {
  UNSUPPORTED_MEDIA_TYPE: 'send the body as application/json (or text/csv where the route accepts it)',
  PAYLOAD_TOO_LARGE: 'the request body is larger than BODY_LIMIT_BYTES',
  MALFORMED_JSON: 'the request body is not valid JSON',
  BAD_REQUEST: 'the HTTP request is malformed',
};

/** A catalogue error the HTTP transport itself raises (media type, body size, malformed HTTP), with its one message. */
export function transportError(code: ErrorCode, cause?: unknown): ChurnError {
  return new ChurnError(code, messages[code] ?? code, [], cause === undefined ? {} : { cause });
}

/**
 * Turns anything thrown while handling a request into a catalogue error. Unknown errors become INTERNAL
 * with a generic message: their text may hold internals and is only logged.
 */
export function toChurnError(error: unknown): ChurnError {
  if (isChurnError(error)) return error;
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'string') {
    const mapped = fastifyCodes[code];
    if (mapped !== undefined) return transportError(mapped, error);
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return transportError(statusCodes[statusCode] ?? 'BAD_REQUEST', error);
  return new ChurnError('INTERNAL', 'an unexpected error occurred; see the server log for this request id', [], { cause: error });
}

/** Whether a response with this code should carry Retry-After. */
export function isRetryable(code: ErrorCode): boolean {
  return code === 'OVERLOADED' || code === 'DRAINING' || code === 'NOT_READY';
}

/** The headers every protocol's error response carries for its code: Retry-After on 503s, the auth challenge on 401s. */
export function errorHeaders(error: ChurnError): Record<string, string> {
  if (isRetryable(error.code)) return { 'retry-after': String(RETRY_AFTER_SECONDS) };
  if (error.code === 'UNAUTHORIZED') return { 'www-authenticate': 'Bearer realm="churn-predictor"' };
  return {};
}

const MAX_ECHOED_URL = 200;

/** NOT_FOUND for a method and path no route has, with the URL shortened. */
export function routeNotFound(method: string, url: string): ChurnError {
  return new ChurnError('NOT_FOUND', `no route for ${method} ${url.length > MAX_ECHOED_URL ? `${url.slice(0, MAX_ECHOED_URL)}…` : url}`);
}

/**
 * Errors Node's HTTP parser raises before a request reaches Fastify (timeouts, oversized headers, bad
 * HTTP): answered in the same body shape, then the socket is closed, as Node itself would.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT'
    : error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE'
      : 'BAD_REQUEST';
  const churn = new ChurnError(code, code === 'REQUEST_TIMEOUT' ? 'the request was not received in time (REQUEST_TIMEOUT_MS)'
    : code === 'HEADERS_TOO_LARGE' ? 'the request headers are too large' : 'the HTTP request is malformed');
  const body = JSON.stringify(errorBody(churn));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${churn.status} ${STATUS_CODES[churn.status]}\r\nContent-Type: application/json; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
