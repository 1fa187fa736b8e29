import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ChurnError } from '../errors.js';
import { errorBody, isRetryable, RETRY_AFTER_SECONDS, toChurnError } from './error-response.js';

const MAX_ECHOED_URL = 200;

/** One handler maps every error to its catalogue status and the one body shape; unknown routes are NOT_FOUND. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((thrown, request, reply) => {
    const error = toChurnError(thrown);
    if (error.code === 'INTERNAL') request.log.error({ err: thrown }, 'unhandled error');
    if (isRetryable(error.code)) reply.header('retry-after', RETRY_AFTER_SECONDS);
    if (error.code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Bearer realm="churn-predictor"');
    reply.code(error.status).send(errorBody(error));
  });
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.length > MAX_ECHOED_URL ? `${request.url.slice(0, MAX_ECHOED_URL)}…` : request.url;
    const error = new ChurnError('NOT_FOUND', `no route for ${request.method} ${url}`);
    reply.code(error.status).send(errorBody(error));
  });
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
