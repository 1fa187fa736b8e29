import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import inject from 'light-my-request';
import { closeIdleConnectionsAfter } from './idle-connections.js';

/** A route served on Node's own request and response: true when it took the request, false to pass it on. */
export type RawRoute = (request: IncomingMessage, response: ServerResponse) => boolean;

/** What Node's own server would wait for when not told (0, as there, keeps idle connections open). */
const NODE_KEEP_ALIVE_TIMEOUT_MS = 5000;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
type ServerFactoryOptions = FastifyServerOptions & { http?: object; keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };

/**
 * The server's one request listener: the hot data-plane routes first, on Node's request and response with no
 * framework lifecycle of their own (routes/predict-one.ts says why), and every other request through Fastify.
 * Fastify builds the HTTP server through `serverFactory` (with the same options it would apply to its own), and
 * `app.inject()` is routed through the same listener, so tests exercise what a client reaches.
 */
export class FrontDoor {
  private routes: RawRoute[] = [];
  private fastify: Handler | undefined;

  readonly listener: Handler = (request, response) => {
    for (const route of this.routes) if (route(request, response)) return;
    this.fastify!(request, response);
  };

  /**
   * Fastify's `serverFactory`: an HTTP/1.1 server set up as Fastify sets up its own, listening through the front
   * door, except that idle keep-alive connections are closed by a sweep rather than a timer per connection.
   */
  readonly serverFactory = (handler: Handler, options: ServerFactoryOptions): Server => {
    this.fastify = handler;
    const server = createServer(options.http ?? {}, this.listener);
    // Idle keep-alive connections are closed by one sweep, not Node's timer per connection (idle-connections.ts).
    server.keepAliveTimeout = 0;
    const idleMs = options.keepAliveTimeout ?? NODE_KEEP_ALIVE_TIMEOUT_MS;
    if (idleMs > 0) closeIdleConnectionsAfter(server, idleMs);
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    server.setTimeout(options.connectionTimeout ?? 0);
    return server;
  };

  /** Serves a route ahead of Fastify's router, from now on. */
  serve(route: RawRoute): void {
    this.routes = [...this.routes, route];
  }

  /** Makes `app.inject()` go through this front door once the app is ready, as a listening server's requests do. */
  routeInjections(app: FastifyInstance): void {
    const ready = (request: IncomingMessage, response: ServerResponse): void => {
      app.ready().then(() => this.listener(request, response), (error: unknown) => response.emit('error', error));
    };
    (app as { inject: unknown }).inject = (options?: Parameters<typeof inject>[1], callback?: Parameters<typeof inject>[2]) =>
      inject(ready, options as never, callback as never);
  }
}
