import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { packageInfo } from '../foundation/package-files.js';
import { documentationOnlyCompilers } from './openapi-schemas.js';

/** A route as the documentation needs it: where, which methods, its schema. */
export type DocumentedRoute = Pick<RouteOptions, 'method' | 'url' | 'schema'>;

/**
 * A Fastify instance that only documents: the served routes replayed with their schemas (never compiled, never
 * run), @fastify/swagger reading them, and Swagger UI under /docs. Built on the first documentation request.
 */
export async function buildDocsApp(routes: readonly DocumentedRoute[], modelHeadline: string): Promise<FastifyInstance> {
  // HEAD routes are replayed as the served app has them, not made again.
  const docs = Fastify({ logger: false, exposeHeadRoutes: false, schemaController: { compilersFactory: documentationOnlyCompilers } });
  await docs.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'churn-predictor',
        version: packageInfo.version,
        description: `Telecom churn predictions from ${modelHeadline}. `
          + 'Every error has the body {"error": {"code", "message", "details"}}; codes are listed in docs/errors.md.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of API_KEYS, when the server sets them' } } },
      tags: [
        { name: 'predictions', description: 'Score customers' },
        { name: 'model', description: 'The model being served' },
        { name: 'probes', description: 'Kubernetes liveness and readiness' },
        { name: 'v2', description: 'Open Inference Protocol V2 (KServe, Triton, MLServer clients), with the binary data extension; gRPC on GRPC_PORT' },
        { name: 'mlflow', description: 'MLflow\'s scoring protocol, for clients of mlflow models serve' },
        { name: 'operations', description: 'Metrics' },
      ],
    },
  });
  await docs.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  const unused = (): never => { throw new Error('a documented route is never called'); };
  const seen = new Set<string>();
  for (const { method, url, schema } of routes) {
    const key = `${String(method)} ${url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    docs.route({ method, url, ...(schema === undefined ? {} : { schema }), handler: unused });
  }
  await docs.ready();
  return docs;
}
