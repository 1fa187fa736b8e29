import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { packageInfo } from '../foundation/package-files.js';

/**
 * The OpenAPI document (GET /openapi.json) and Swagger UI (GET /docs), built from the route schemas,
 * which are themselves generated from the model's feature schema. Must be installed before the routes.
 */
export function installApiDocs(app: FastifyInstance, modelHeadline: string): void {
  app.register(swagger, {
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
        { name: 'operations', description: 'Metrics' },
      ],
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) => { reply.send(app.swagger()); });
}
